import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, objectFileName, parseFetchArgs, parseSource } from '../../../src/fetcher/plan.ts';

const sha = 'a'.repeat(64);

void test('s3:// and https:// URIs with a destination, and the defaults', () => {
  assert.deepEqual(parseFetchArgs(['s3://models/iris/1', '/mnt/models']), {
    ok: true,
    plan: { uri: 's3://models/iris/1', source: { kind: 's3', bucket: 'models', key: 'iris/1' }, dest: '/mnt/models', sha256: undefined, maxBytes: DEFAULT_MAX_BYTES, maxEntries: DEFAULT_MAX_ENTRIES, unpack: true, terminationLog: undefined },
  });
  const https = parseFetchArgs(['--sha256', sha.toUpperCase(), '--max-bytes=1000', '--max-entries', '5', '--no-unpack', 'https://host/m.tar.gz', 'out']);
  assert.ok(https.ok);
  assert.deepEqual(https.plan.source, { kind: 'https', url: 'https://host/m.tar.gz' });
  assert.equal(https.plan.sha256, sha);
  assert.equal(https.plan.maxBytes, 1000);
  assert.equal(https.plan.maxEntries, 5);
  assert.equal(https.plan.unpack, false);
  const withLog = parseFetchArgs(['--termination-log', '/dev/termination-log', 's3://models/iris/1', '/mnt/models']);
  assert.equal(withLog.ok && withLog.plan.terminationLog, '/dev/termination-log');
  assert.deepEqual(parseSource('s3://bucket', false), { kind: 's3', bucket: 'bucket', key: '' });
});

void test('refused arguments say why', () => {
  const error = (argv: string[]) => {
    const r = parseFetchArgs(argv);
    return r.ok ? 'ok' : r.error;
  };
  assert.match(error(['s3://models/x']), /expected <uri> <destination>/);
  assert.match(error(['--sha256', 'abc', 's3://models/x', 'd']), /64 hex digits/);
  assert.match(error(['--max-bytes', '0', 's3://models/x', 'd']), /positive integer/);
  assert.match(error(['s3://models/x', 'd', '--termination-log']), /--termination-log needs a path/);
  assert.match(error(['--frobnicate', 's3://models/x', 'd']), /unknown option --frobnicate/);
  assert.match(error(['http://host/m', 'd']), /http:\/\/ is refused/);
  assert.equal(error(['--allow-http', 'http://host/m', 'd']), 'ok');
  assert.match(error(['https://user:pw@host/m', 'd']), /credentials in the URL/);
  assert.match(error(['gs://bucket/m', 'd']), /gs:\/\/ is not supported.*--fetcher-image/);
  assert.match(error(['pvc://claim/m', 'd']), /mounted or copied by the pod/);
  assert.match(error(['s3://Bad_Bucket/m', 'd']), /not a valid bucket name/);
  assert.match(error(['s3://models/a/../b', 'd']), /'\.\.'/);
  assert.match(error(['ftp://host/m', 'd']), /unsupported scheme/);
});

void test('objectFileName: the last segment', () => {
  assert.equal(objectFileName('iris/1/model.joblib'), 'model.joblib');
  assert.equal(objectFileName('/files/m.tar.gz'), 'm.tar.gz');
  assert.equal(objectFileName('/'), '');
});
