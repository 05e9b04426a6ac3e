import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifySourceError, FetchFailure } from '../../../src/fetcher/failure.ts';

const s3Error = (name: string, status: number, message = 'server text') => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
const sysError = (code: string) => Object.assign(new Error(`syscall ${code}`), { code });

void test('S3 errors by name and status', () => {
  const cases: [unknown, string, boolean][] = [
    [s3Error('NoSuchKey', 404), 'ModelNotFound', false],
    [s3Error('NoSuchBucket', 404), 'ModelNotFound', false],
    [s3Error('NotFound', 404), 'ModelNotFound', false],
    [s3Error('AccessDenied', 403), 'AccessDenied', false],
    [s3Error('InvalidAccessKeyId', 403), 'AccessDenied', false],
    [s3Error('SignatureDoesNotMatch', 403), 'AccessDenied', false],
    [s3Error('XAdminUserNotFound', 404), 'AccessDenied', false],
    [s3Error('Unknown', 410), 'ModelNotFound', false],
    [s3Error('SlowDown', 503), 'Unavailable', true],
    [s3Error('InternalError', 500), 'Unavailable', true],
    [s3Error('Unknown', 502), 'Unavailable', true],
    [s3Error('Unknown', 429), 'Unavailable', true],
    [s3Error('Unknown', 400), 'Unavailable', false],
  ];
  for (const [err, cls, transient] of cases) {
    const f = classifySourceError(err, 's3://b/k');
    assert.equal(f.cls, cls, String(err));
    assert.equal(f.transient, transient, String(err));
  }
});

void test('network errors are transient, found along the cause chain; local write errors are LocalWrite', () => {
  const fetchFailed = new TypeError('fetch failed', { cause: sysError('ECONNRESET') });
  assert.deepEqual([classifySourceError(fetchFailed, 'u').cls, classifySourceError(fetchFailed, 'u').transient], ['Unavailable', true]);
  assert.equal(classifySourceError(sysError('ECONNREFUSED'), 'u').transient, true);
  assert.equal(classifySourceError(sysError('ENOSPC'), 'u').cls, 'LocalWrite');
  assert.equal(classifySourceError(sysError('EACCES'), 'u').cls, 'LocalWrite');
});

void test('texts are ours: the URI and a code name, never the server message', () => {
  const f = classifySourceError(s3Error('AccessDenied', 403, 'key AKIA-SECRET-VALUE refused'), 's3://b/k');
  assert.equal(f.message, 's3://b/k: access denied (AccessDenied)');
  const odd = classifySourceError(Object.assign(new Error('x'), { name: 'weird name\nwith newline', $metadata: { httpStatusCode: 403 } }), 'u');
  assert.equal(odd.message, 'u: access denied');
});

void test('a FetchFailure passes through as it is', () => {
  const f = new FetchFailure('TooLarge', 'big');
  assert.equal(classifySourceError(f, 'u'), f);
});
