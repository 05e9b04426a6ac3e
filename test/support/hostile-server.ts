// Local HTTP servers that answer as a hostile Prometheus or model server would: a gzip bomb, an endless
// body, a redirect, silence. Each counts the requests it saw and keeps their headers.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { gzipSync } from 'node:zlib';

export interface HostileServer {
  readonly url: string;
  readonly port: number;
  readonly seen: IncomingHttpHeaders[];
}

export type Behaviour = (res: ServerResponse) => void;

/** Listens on `host` (any 127.0.0.0/8 address is this machine's loopback). */
export async function hostileServer(behaviour: Behaviour, host = '127.0.0.1'): Promise<HostileServer> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    behaviour(res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, port, seen };
}

/** ~200 KB of gzip that inflates to 200 MiB of zeros. */
export const gzipBomb = gzipSync(Buffer.alloc(200 * 1024 * 1024), { level: 9 });

export const sendGzipBomb: Behaviour = (res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': gzipBomb.length });
  res.end(gzipBomb);
};

/** 1 GiB streamed in 64 KiB chunks, written only as fast as the client reads. */
export const sendGibibyte: Behaviour = (res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let left = (1024 * 1024 * 1024) / chunk.length;
  const write = () => {
    while (left > 0) {
      left--;
      if (!res.write(chunk)) return void res.once('drain', write);
    }
    res.end();
  };
  res.on('close', () => (left = 0));
  write();
};

export const redirectTo =
  (location: string): Behaviour =>
  (res) => {
    res.writeHead(302, { location });
    res.end();
  };

export const answerJson =
  (body: unknown): Behaviour =>
  (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
