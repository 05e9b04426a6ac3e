// The serving port: a TCP server that looks at the first bytes of each connection. HTTP/2 with prior
// knowledge (gRPC over cleartext) starts with the connection preface and is piped raw to the model server,
// its streams counted from the client's frame headers; anything else is handed, bytes put back, to the
// HTTP/1.1 server.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { H2StreamCounter } from './h2-streams.ts';

export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** 'h2' once the bytes are the preface, 'http1' once they cannot be, undefined while too few arrived. Pure. */
export function sniff(head: Buffer): 'h2' | 'http1' | undefined {
  const n = Math.min(head.length, H2_PREFACE.length);
  if (head.subarray(0, n).equals(H2_PREFACE.subarray(0, n))) return n === H2_PREFACE.length ? 'h2' : undefined;
  return 'http1';
}

export interface TunnelHooks {
  /** An h2c connection is piped. */
  readonly connection: () => void;
  /** The client opened `n` streams on a piped connection. */
  readonly streams: (n: number) => void;
}

export function frontDoor(http: HttpServer, upstream: { host: string; port: number }, hooks: TunnelHooks): Server {
  return createServer({ noDelay: true }, (socket: Socket) => {
    let head: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const kind = sniff(head);
      if (kind === undefined) return;
      socket.off('data', onData);
      socket.pause();
      if (kind === 'http1') {
        socket.unshift(head);
        http.emit('connection', socket);
        socket.resume();
        return;
      }
      hooks.connection();
      const counter = new H2StreamCounter();
      const count = (bytes: Buffer) => {
        const n = counter.push(bytes);
        if (n > 0) hooks.streams(n);
      };
      count(head);
      socket.on('data', count);
      const up = connect({ host: upstream.host, port: upstream.port, noDelay: true });
      up.write(head);
      socket.pipe(up).pipe(socket);
      socket.resume();
      const close = () => {
        socket.destroy();
        up.destroy();
      };
      socket.on('error', close);
      up.on('error', close);
      socket.on('close', close);
      up.on('close', close);
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  });
}
