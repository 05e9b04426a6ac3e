import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBatchArgs, parseDuration } from '../../../src/batch-runner/args.ts';
import { finalizeRun, markerJson, parseMarker, type ShardMarker } from '../../../src/batch-runner/manifest.ts';
import { isDataName, parseLocation } from '../../../src/batch-runner/uri.ts';

const marker = (shard: number, over: Partial<ShardMarker> = {}): ShardMarker => ({
  shard, shards: 3, records: 10, scored: 9, failed: 1,
  parts: [{ key: `part-0000${shard}.jsonl`, bytes: 100 + shard, sha256: 'a'.repeat(64) }],
  errors: { key: `errors/part-0000${shard}.jsonl`, bytes: 50, sha256: 'b'.repeat(64) },
  modelVersion: 'v1', finishedAt: `2026-12-03T02:0${shard}:00.000Z`, ...over,
});

void test('markers round-trip; anything else is not a marker', () => {
  const m = marker(1, { errors: null, modelVersion: null });
  assert.deepEqual(parseMarker(markerJson(m)), m);
  assert.equal(parseMarker('{"shard": 1}'), undefined);
  assert.equal(parseMarker('nope'), undefined);
});

void test('manifest: only with every marker, same bytes whatever order they are read in', () => {
  assert.deepEqual(finalizeRun('r', 'iris', 3, 10, [marker(0), marker(2)]), { kind: 'incomplete', missing: [1] });
  const a = finalizeRun('r', 'iris', 3, 10, [marker(0), marker(1), marker(2)]);
  const b = finalizeRun('r', 'iris', 3, 10, [marker(2), marker(0), marker(1)]);
  assert.equal(a.kind, 'manifest');
  assert.deepEqual(a, b);
  if (a.kind !== 'manifest') return;
  const json = JSON.parse(a.json) as Record<string, unknown>;
  assert.equal(json.records, 30);
  assert.equal(json.scored, 27);
  assert.equal(json.failed, 3);
  assert.equal(json.completedAt, '2026-12-03T02:02:00.000Z');
  assert.deepEqual((json.parts as { key: string }[]).map((p) => p.key), ['part-00000.jsonl', 'part-00001.jsonl', 'part-00002.jsonl']);
  assert.equal((json.errors as unknown[]).length, 3);
  // A marker of another shard count (an earlier run's) does not count.
  assert.equal(finalizeRun('r', 'iris', 3, 10, [marker(0), marker(1), marker(2, { shards: 4 })]).kind, 'incomplete');
});

void test('too many bad records in all: _failed.json instead of a manifest', () => {
  const out = finalizeRun('r', 'iris', 3, 2, [marker(0), marker(1), marker(2)]);
  assert.equal(out.kind, 'failed');
});

const base = ['--input', 's3://inputs/data/', '--input-format', 'jsonl', '--output', 's3://scores/fraud/run-1', '--run', 'run-1', '--shards', '4', '--model', 'iris'];

void test('arguments: defaults, shard from JOB_COMPLETION_INDEX, refusals', () => {
  const r = parseBatchArgs(base, { JOB_COMPLETION_INDEX: '3' });
  assert.ok(r.ok);
  assert.equal(r.plan.shard, 3);
  assert.equal(r.plan.batchSize, 64);
  assert.equal(r.plan.concurrency, 4);
  assert.equal(r.plan.maxFailedRecords, 0);
  assert.equal(r.plan.server, 'http://127.0.0.1:8080');
  assert.equal(r.plan.readyTimeoutMs, 600_000);
  assert.ok(parseBatchArgs([...base, '--shard', '1'], { JOB_COMPLETION_INDEX: '3' }).ok);
  assert.equal(parseBatchArgs(base, {}).ok, false);
  assert.equal(parseBatchArgs([...base, '--shard', '4'], {}).ok, false);
  assert.equal(parseBatchArgs([...base, '--shard', '0', '--input-format=xml'], {}).ok, false);
  assert.equal(parseBatchArgs([...base, '--shard', '0', '--bogus', '1'], {}).ok, false);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('1500ms'), 1500);
  assert.equal(parseDuration('soon'), undefined);
});

void test('locations: s3 and pvc under MODELSHIP_PVC_ROOT; names starting with _ or . are not data', () => {
  assert.deepEqual(parseLocation('pvc://data/in/x.jsonl', '/mnt/pvc'), { kind: 'local', uri: 'pvc://data/in/x.jsonl', path: '/mnt/pvc/data/in/x.jsonl' });
  assert.deepEqual(parseLocation('s3://inputs/a/b', '/x'), { kind: 's3', uri: 's3://inputs/a/b', bucket: 'inputs', key: 'a/b' });
  assert.equal(typeof parseLocation('gs://in/a', '/x'), 'string');
  assert.equal(typeof parseLocation('pvc://data/../etc', '/x'), 'string');
  assert.ok(isDataName('a/b.jsonl'));
  assert.ok(!isDataName('_SUCCESS'));
  assert.ok(!isDataName('a/.tmp'));
});
