// The inference agent bench's model server in a process of its own (test/support/iris-upstream.ts), so the
// load generator and the server do not share an event loop. Prints its port, runs until killed.
import { startIrisUpstream } from '../test/support/iris-upstream.ts';

const upstream = await startIrisUpstream();
process.stdout.write(`${upstream.port}\n`);
