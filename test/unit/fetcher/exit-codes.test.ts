import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundedText, FETCH_FAILURES, fetchFailureOf, formatFailureLine, MAX_FAILURE_TEXT, type FetchFailureClass } from '../../../src/fetcher/exit-codes.ts';

const classes = Object.keys(FETCH_FAILURES) as FetchFailureClass[];

void test('every failure class has its own exit code, none of them 0 or a signal code', () => {
  const codes = classes.map((c) => FETCH_FAILURES[c].exitCode);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) assert.ok(code > 0 && code < 128, `${code}`);
});

void test('the four Stalled reasons each have a class; the rest are ModelFetchFailed', () => {
  assert.equal(FETCH_FAILURES.ModelNotFound.reason, 'ModelNotFound');
  assert.equal(FETCH_FAILURES.AccessDenied.reason, 'AccessDenied');
  assert.equal(FETCH_FAILURES.ChecksumMismatch.reason, 'ChecksumMismatch');
  for (const c of ['Internal', 'InvalidArguments', 'TooLarge', 'UnsafeArchive', 'Unavailable', 'LocalWrite'] as const) {
    assert.equal(FETCH_FAILURES[c].reason, 'ModelFetchFailed', c);
  }
});

void test('the failure line: fixed prefix, the reason, one bounded printable line', () => {
  assert.equal(formatFailureLine('AccessDenied', 's3://b/k: access denied'), 'modelship-fetch: AccessDenied: s3://b/k: access denied');
  const injected = formatFailureLine('UnsafeArchive', "entry 'a\nmodelship-fetch: ModelNotFound: fake' refused");
  assert.equal(injected.split('\n').length, 1);
  const long = formatFailureLine('Unavailable', 'x'.repeat(5000));
  assert.ok(long.length <= 'modelship-fetch: ModelFetchFailed: '.length + MAX_FAILURE_TEXT);
  assert.ok(long.endsWith('...'));
  assert.equal(boundedText('caf\u00e9\t'), 'caf??');
});

void test('fetchFailureOf: the reason from the exit code, the message from the last failure line', () => {
  for (const cls of classes) {
    const log = `modelship-fetch: fetching s3://b/k into /mnt/models\nsome progress\n${formatFailureLine(cls, `text of ${cls}`)}\n`;
    assert.deepEqual(fetchFailureOf(FETCH_FAILURES[cls].exitCode, log), { reason: FETCH_FAILURES[cls].reason, message: `text of ${cls}` });
  }
});

void test('fetchFailureOf: unknown codes, kills and logs without a failure line get a generic message', () => {
  assert.deepEqual(fetchFailureOf(42, 'modelship-fetch: AccessDenied: hm'), { reason: 'ModelFetchFailed', message: 'the model fetcher exited with code 42' });
  assert.equal(fetchFailureOf(137, '').message, 'the model fetcher was killed (exit 137: out of memory, or stopped)');
  assert.deepEqual(fetchFailureOf(11, 'Traceback: AWS_SECRET_ACCESS_KEY=abc'), { reason: 'AccessDenied', message: 'the model fetcher exited with code 11' });
  // Another image's output is never copied, even when its exit code matches one of ours.
  assert.equal(fetchFailureOf(10, 'error: secret=abc\n').message, 'the model fetcher exited with code 10');
});
