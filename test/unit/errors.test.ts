import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorMessage, messageWithCauses } from '../../src/errors.ts';

void test('errorMessage: an Error by its message, anything else as a string', () => {
  assert.equal(errorMessage(new TypeError('bad')), 'bad');
  assert.equal(errorMessage('text'), 'text');
  assert.equal(errorMessage(42), '42');
  assert.equal(errorMessage(undefined), 'undefined');
});

void test('messageWithCauses: the causes a message does not already say, in order', () => {
  const refused = new Error('connect ECONNREFUSED 10.0.0.1:9090');
  assert.equal(messageWithCauses(new TypeError('fetch failed', { cause: refused })), 'fetch failed: connect ECONNREFUSED 10.0.0.1:9090');
  const wrapped = new Error(`token file /t: ${refused.message}`, { cause: refused });
  assert.equal(messageWithCauses(new Error('kubeconfig user', { cause: wrapped })), `kubeconfig user: token file /t: ${refused.message}`);
  assert.equal(messageWithCauses(new Error('outer', { cause: 'a string cause' })), 'outer: a string cause');
  assert.equal(messageWithCauses('thrown text'), 'thrown text');
});

void test('messageWithCauses ends on a cause cycle', () => {
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  a.cause = b;
  assert.equal(messageWithCauses(a), 'a: b');
});
