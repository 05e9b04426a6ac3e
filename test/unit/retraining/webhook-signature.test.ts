import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { signedHeaders, verifyWebhook, webhookSignature } from '../../../src/retraining/webhook-signature.ts';

const KEY = 'k3y';
const BODY = '{"id":"rt-0123456789abcdef","reason":"Drift"}';

void test('the signature is HMAC-SHA256 of "<timestamp>.<body>" in hex, as documented', () => {
  const expected = createHmac('sha256', KEY).update(`1700000000.${BODY}`).digest('hex');
  assert.equal(webhookSignature(KEY, 1_700_000_000, BODY), `sha256=${expected}`);
});

void test('headers carry the delivery id, the timestamp and the signature', () => {
  const h = signedHeaders(KEY, 'rt-1', 1_700_000_000, BODY);
  assert.equal(h['x-modelship-delivery'], 'rt-1');
  assert.equal(h['x-modelship-timestamp'], '1700000000');
  assert.equal(h['x-modelship-signature'], webhookSignature(KEY, 1_700_000_000, BODY));
});

void test('a receiver accepts a fresh, correctly signed delivery', () => {
  const h = signedHeaders(KEY, 'rt-1', 1_700_000_000, BODY);
  assert.deepEqual(verifyWebhook(KEY, { signature: h['x-modelship-signature']!, timestamp: h['x-modelship-timestamp']! }, BODY, 1_700_000_010), { ok: true });
});

void test('a changed body, another key or a changed timestamp fail the signature', () => {
  const h = signedHeaders(KEY, 'rt-1', 1_700_000_000, BODY);
  const sig = h['x-modelship-signature']!;
  assert.deepEqual(verifyWebhook(KEY, { signature: sig, timestamp: '1700000000' }, BODY.replace('Drift', 'Schedule'), 1_700_000_000), { ok: false, why: 'bad signature' });
  assert.deepEqual(verifyWebhook('other', { signature: sig, timestamp: '1700000000' }, BODY, 1_700_000_000), { ok: false, why: 'bad signature' });
  assert.deepEqual(verifyWebhook(KEY, { signature: sig, timestamp: '1700000999' }, BODY, 1_700_000_999), { ok: false, why: 'bad signature' });
});

void test('a replay after the tolerance is refused although its signature is right', () => {
  const h = signedHeaders(KEY, 'rt-1', 1_700_000_000, BODY);
  const r = verifyWebhook(KEY, { signature: h['x-modelship-signature']!, timestamp: '1700000000' }, BODY, 1_700_000_301);
  assert.deepEqual(r, { ok: false, why: 'timestamp too old or in the future' });
});

void test('missing headers are refused', () => {
  assert.equal(verifyWebhook(KEY, { timestamp: '1' }, BODY, 1).ok, false);
  assert.equal(verifyWebhook(KEY, { signature: 'sha256=00' }, BODY, 1).ok, false);
});
