// A small model server for the inference agent's tests and bench: Open Inference Protocol v2
// POST /v2/models/iris/infer with deterministic predictions (class = floor(sum of the row) mod 3, INT64),
// GET /metrics, POST /echo (streams the body back), GET /bytes?n=N (N deterministic bytes, streamed), and
// HTTP/2 cleartext with prior knowledge (what gRPC speaks) on the same port, as the agent's tunnel expects.
// Each response says which request id and which upstream socket it saw.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createH2Server, type Http2Server } from 'node:http2';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { H2_PREFACE } from '../../src/agent/front-door.ts';
import { once } from 'node:events';

export interface IrisUpstream {
  /** HTTP/1.1 and HTTP/2 cleartext (prior knowledge). */
  readonly port: number;
  /** Connections the HTTP/1 server accepted (keep-alive reuse keeps this low). */
  connections(): number;
  close(): Promise<void>;
}

/** The class the upstream predicts for one row. Pure. */
export function irisClass(row: readonly number[]): number {
  return Math.floor(row.reduce((a, b) => a + b, 0)) % 3;
}

export function patternByte(i: number): number {
  return (i * 31 + 7) % 251;
}

interface InferBody {
  readonly id?: string;
  readonly inputs: readonly { readonly name: string; readonly shape: readonly number[]; readonly data: readonly number[] }[];
}

function infer(body: InferBody): unknown {
  const input = body.inputs[0]!;
  const width = input.shape[1] ?? input.data.length;
  const rows = input.data.length / width;
  const data = Array.from({ length: rows }, (_, r) => irisClass(input.data.slice(r * width, (r + 1) * width)));
  return { model_name: 'iris', model_version: '1', ...(body.id !== undefined ? { id: body.id } : {}), outputs: [{ name: 'predict', shape: [rows, 1], datatype: 'INT64', data }] };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

const METRICS = '# HELP mlserver_requests_total Requests.\n# TYPE mlserver_requests_total counter\nmlserver_requests_total{model="iris"} 42\n';

export async function startIrisUpstream(options: { readonly delayMs?: number } = {}): Promise<IrisUpstream> {
  let connections = 0;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const seen = { 'x-upstream-saw-request-id': String(req.headers['x-request-id'] ?? ''), 'x-upstream-socket': String(req.socket.remotePort) };
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST' && url.pathname === '/v2/models/iris/infer') {
      void readBody(req).then((b) => {
        const reply = () => {
          const text = JSON.stringify(infer(JSON.parse(b.toString('utf8')) as InferBody));
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...seen });
          res.end(text);
        };
        if (options.delayMs) setTimeout(reply, options.delayMs);
        else reply();
      });
    } else if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(METRICS);
    } else if (req.method === 'POST' && url.pathname === '/echo') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', ...seen });
      req.pipe(res);
    } else if (url.pathname === '/bytes') {
      const n = Number(url.searchParams.get('n') ?? '0');
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-custom': 'kept', ...seen });
      let sent = 0;
      const more = () => {
        while (sent < n) {
          const size = Math.min(64 * 1024, n - sent);
          const chunk = Buffer.alloc(size);
          for (let i = 0; i < size; i++) chunk[i] = patternByte(sent + i);
          sent += size;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    } else if (url.pathname === '/status') {
      const code = Number(url.searchParams.get('code') ?? '200');
      res.writeHead(code, { 'content-type': 'text/plain', ...seen });
      res.end(`status ${code}`);
    } else {
      res.writeHead(404, seen);
      res.end('not found');
    }
  };
  const server: Server = createServer({ keepAliveTimeout: 65_000 }, handle);
  server.on('connection', () => connections++);
  const h2: Http2Server = createH2Server();
  h2.on('stream', (stream, headers) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'x-h2-path': String(headers[':path']) });
    stream.end('h2 ok');
  });
  // One port for both, told apart by the first bytes.
  const door = createTcpServer((socket) => {
    socket.once('readable', () => {
      const head = socket.read(H2_PREFACE.length) as Buffer | null;
      if (head !== null) socket.unshift(head);
      (head !== null && head.equals(H2_PREFACE) ? h2 : server).emit('connection', socket);
    });
  });
  door.listen(0, '127.0.0.1');
  await once(door, 'listening');
  return {
    port: (door.address() as AddressInfo).port,
    connections: () => connections,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => door.close(() => r()));
      await new Promise<void>((r) => h2.close(() => r()));
    },
  };
}
