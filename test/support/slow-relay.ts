// A TCP relay that holds every chunk a while each way: a slow object store on loopback, for the inference
// agent's integration test and bench.
import { once } from 'node:events';
import { createServer, connect, type Server } from 'node:net';

/**
 * A TCP relay that holds every chunk `delayMs` each way: a slow object store. An end or a close is passed on
 * after the chunks before it (timers of equal delay fire in order): versitygw closes the connection right
 * after answering a large PutObject, and closing the agent's side at once threw away the delayed answer, so
 * every upload of a file above about 1 MiB failed with ECONNRESET and was retried forever.
 */
export async function slowRelay(targetPort: number, delayMs: number): Promise<Server> {
  const server = createServer((client) => {
    const up = connect({ host: '127.0.0.1', port: targetPort });
    const later = (f: () => void) => setTimeout(f, delayMs);
    const delayed = (from: typeof client, to: typeof client) => {
      from.on('data', (c: Buffer) => later(() => to.writable && to.write(c)));
      from.on('end', () => later(() => to.end()));
    };
    delayed(client, up);
    delayed(up, client);
    const close = () =>
      later(() => {
        client.destroy();
        up.destroy();
      });
    client.on('error', close).on('close', close);
    up.on('error', close).on('close', close);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}
