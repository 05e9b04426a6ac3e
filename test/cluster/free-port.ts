// A loopback TCP port for a component to listen on. Ports come from below the kernel's ephemeral range
// (32768-60999 here), so an outgoing connection of another process cannot take the port between this
// check and the component's own bind; two test processes may still race, which startControlPlane retries.
import { createServer } from 'node:net';

const LOW = 20_000;
const HIGH = 32_700;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (handedOut.has(port)) continue;
    if (await bindable(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free loopback port between ${LOW} and ${HIGH}`);
}
