// Counting the streams of a piped h2c connection from the client's frame headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H2_PREFACE } from '../../../src/agent/front-door.ts';
import { H2StreamCounter } from '../../../src/agent/h2-streams.ts';

function frame(type: number, flags: number, stream: number, payload: number): Buffer {
  const f = Buffer.alloc(9 + payload, 0xab);
  f.writeUIntBE(payload, 0, 3);
  f[3] = type;
  f[4] = flags;
  f.writeUInt32BE(stream, 5);
  return f;
}
const SETTINGS = 0x4;
const HEADERS = 0x1;
const DATA = 0x0;
const CONTINUATION = 0x9;
const WINDOW_UPDATE = 0x8;

// Three gRPC calls on streams 1, 3, 5: headers (one with a CONTINUATION), data, trailers on stream 3 (a
// second HEADERS, not a new stream), connection-level frames, and payload bytes that look like frames.
const conversation = Buffer.concat([
  H2_PREFACE,
  frame(SETTINGS, 0, 0, 12),
  frame(WINDOW_UPDATE, 0, 0, 4),
  frame(HEADERS, 0x4, 1, 40),
  frame(DATA, 0x1, 1, 70_000),
  frame(HEADERS, 0x0, 3, 30),
  frame(CONTINUATION, 0x4, 3, 10),
  frame(DATA, 0x0, 3, 5),
  frame(HEADERS, 0x5, 3, 8),
  frame(SETTINGS, 0x1, 0, 0),
  frame(HEADERS, 0x5, 5, 20),
]);

test('h2c streams: one per client stream opened, whatever the chunking', () => {
  const whole = new H2StreamCounter();
  assert.equal(whole.push(conversation), 3);
  // Every split point, byte by byte at the start, and arbitrary chunk sizes.
  for (const size of [1, 2, 7, 9, 10, 24, 25, 1000, 65_536]) {
    const c = new H2StreamCounter();
    let n = 0;
    for (let i = 0; i < conversation.length; i += size) n += c.push(conversation.subarray(i, i + size));
    assert.equal(n, 3, `chunks of ${size}`);
  }
  // A DATA payload full of bytes that would read as HEADERS frames is skipped as payload.
  const lookalike = Buffer.concat([frame(HEADERS, 0x4, 7, 0), frame(HEADERS, 0x4, 9, 0)]);
  const data = frame(DATA, 0, 1, lookalike.length);
  lookalike.copy(data, 9);
  assert.equal(new H2StreamCounter().push(Buffer.concat([H2_PREFACE, frame(HEADERS, 0x4, 1, 3), data])), 1);
  // Even (server-initiated) and reused stream ids open nothing.
  assert.equal(new H2StreamCounter().push(Buffer.concat([H2_PREFACE, frame(HEADERS, 0x4, 3, 0), frame(HEADERS, 0x4, 2, 0), frame(HEADERS, 0x4, 1, 0), frame(HEADERS, 0x4, 3, 0)])), 1);
  assert.equal(new H2StreamCounter().push(H2_PREFACE), 0);
});
