import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOutboundFailure, formatBytes, OutboundError, toOutboundError, unsafeHeader } from '../../../src/outbound/index.ts';

test('each failure is a short fixed description with its code', () => {
  assert.equal(describeOutboundFailure({ kind: 'status', status: 503 }), 'answered HTTP 503');
  assert.equal(describeOutboundFailure({ kind: 'redirect', status: 302 }), 'redirect refused (HTTP 302)');
  assert.equal(describeOutboundFailure({ kind: 'too-large', maxBytes: 1024 * 1024 }), 'body over 1 MiB');
  assert.equal(describeOutboundFailure({ kind: 'compressed' }), 'compressed body refused');
  assert.match(describeOutboundFailure({ kind: 'address-refused', address: '127.0.0.1' }), /^address 127\.0\.0\.1 refused/);
  assert.equal(describeOutboundFailure({ kind: 'timeout', ms: 5000 }), 'no answer within 5000 ms');
  assert.equal(describeOutboundFailure({ kind: 'connection', code: 'ECONNREFUSED' }), 'connection failed (ECONNREFUSED)');
  assert.equal(formatBytes(64 * 1024), '64 KiB');
  assert.equal(formatBytes(1000), '1000 bytes');
});

test('a thrown error keeps its code and loses its text, which may quote header values', () => {
  const undiciLike = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('Invalid header value "Bearer abc\ndef"'), { code: 'UND_ERR_INVALID_ARG' }) });
  const e = toOutboundError(undiciLike, 1000);
  assert.equal(e.message, 'connection failed (UND_ERR_INVALID_ARG)');
  assert.equal(toOutboundError(Object.assign(new Error('x'), { code: 'not a code: abc' }), 1000).message, 'connection failed');
  assert.equal(toOutboundError(new DOMException('t', 'TimeoutError'), 1500).message, 'no answer within 1500 ms');
  const ours = new OutboundError({ kind: 'address-refused', address: '::1' });
  assert.equal(toOutboundError(new Error('wrapped', { cause: ours }), 1), ours);
});

test('header values with CR, LF or NUL are named, never sent', () => {
  assert.equal(unsafeHeader({ accept: 'application/json', authorization: 'Bearer abc' }), undefined);
  assert.equal(unsafeHeader({ accept: 'a', authorization: 'Bearer abc\ndef' }), 'authorization');
  assert.equal(unsafeHeader({ x: 'a\rb' }), 'x');
  assert.equal(unsafeHeader({ x: 'a\0b' }), 'x');
});
