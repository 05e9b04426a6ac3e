// Labels files: which URIs the agent reads, how lines become batches, and where a bad line stops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFeedbackItem } from '../../../src/agent/feedback-body.ts';
import { countedMarker, labelBatches, labelsFileTarget, labelsFolder, LabelsFileError } from '../../../src/agent/labels-file.ts';
import { lines } from '../../../src/agent/log-scan.ts';

const log = { bucket: 'logs', key: 'team-a/models' };

// Each item a tick later, as a stream delivers them.
async function* of<T>(...items: T[]): AsyncGenerator<T> {
  for (const i of items) {
    await Promise.resolve();
    yield i;
  }
}
const chunks = (...parts: string[]) => of(...parts.map((p) => new TextEncoder().encode(p)));
async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('labels folder: <log key>/labels/ in the log bucket, also for a bucket-wide log URI', () => {
  assert.deepEqual(labelsFolder(log), { bucket: 'logs', key: 'team-a/models/labels/' });
  assert.deepEqual(labelsFolder({ bucket: 'logs', key: '' }), { bucket: 'logs', key: 'labels/' });
});

test('counted marker: beside the labels folder, the path under it, outside labels/ and the partitions', () => {
  assert.deepEqual(countedMarker(log, { bucket: 'logs', key: 'team-a/models/labels/2026-12-01/part-0.jsonl' }), { bucket: 'logs', key: 'team-a/models/_labels-counted/2026-12-01/part-0.jsonl.json' });
  assert.deepEqual(countedMarker({ bucket: 'logs', key: '' }, { bucket: 'logs', key: 'labels/a.jsonl' }), { bucket: 'logs', key: '_labels-counted/a.jsonl.json' });
});

test('labels file target: only files under the labels folder; refusals say where files may be', () => {
  assert.deepEqual(labelsFileTarget({ uri: 's3://logs/team-a/models/labels/2026/12/a.jsonl' }, log), { ok: true, location: { bucket: 'logs', key: 'team-a/models/labels/2026/12/a.jsonl' } });
  const refused = (uri: unknown) => {
    const r = labelsFileTarget(uri, log);
    assert.equal(r.ok, false, JSON.stringify(uri));
    return r.ok ? { status: 0, error: '' } : { status: r.status, error: r.error };
  };
  for (const uri of ['s3://other/team-a/models/labels/a.jsonl', 's3://logs/team-a/models/a.jsonl', 's3://logs/team-a/models/namespace=x/model=y/a.jsonl', 's3://logs/team-a/models/labelsx/a.jsonl', 's3://logs/team-a/models/labels/', 's3://logs/team-a/models/labels/dir/', 's3://logs/team-b/models/labels/a.jsonl']) {
    const r = refused({ uri });
    assert.equal(r.status, 403, uri);
    assert.equal(r.error, `${uri} is not a file under s3://logs/team-a/models/labels/: the agent reads labels files only there`);
  }
  assert.deepEqual(refused({ uri: 's3://logs/team-a/models/labels/../secret.jsonl' }), { status: 400, error: "s3://logs/team-a/models/labels/../secret.jsonl: the key must not contain '..' segments" });
  for (const body of [{ uri: 'https://x/y' }, { url: 's3://logs/team-a/models/labels/a' }, { uri: 's3://logs/team-a/models/labels/a', extra: 1 }, ['s3://x'], 's3://x', null]) {
    assert.deepEqual(refused(body), { status: 400, error: 'expected {"uri":"s3://bucket/key"}' }, JSON.stringify(body));
  }
  const off = labelsFileTarget({ uri: 's3://logs/team-a/models/labels/a.jsonl' }, undefined);
  assert.equal(off.ok ? 0 : off.status, 409, 'no labels files without logging');
});

test('label items: label or labels, as the feedback body; anything else refused', () => {
  assert.deepEqual(parseFeedbackItem({ requestId: 'r1', label: 2 }), { ok: true, item: { requestId: 'r1', labels: [2] } });
  assert.deepEqual(parseFeedbackItem({ requestId: 'r1', labels: ['a', true] }), { ok: true, item: { requestId: 'r1', labels: ['a', true] } });
  for (const bad of [{ requestId: 'r1' }, { requestId: '', label: 1 }, { requestId: 'r1', label: 1, x: 1 }, [{ requestId: 'r1', label: 1 }], 'r1']) {
    assert.deepEqual(parseFeedbackItem(bad), { ok: false, error: 'expected {"requestId","label"} or {"requestId","labels":[...]}' });
  }
});

test('label batches: blank lines skipped, batches of the given size, the first bad line named', async () => {
  const items = Array.from({ length: 7 }, (_, i) => JSON.stringify({ requestId: `r${i}`, label: i }));
  const batches = await all(labelBatches(of(items[0]!, '', ...items.slice(1), '  '), 3));
  assert.deepEqual(batches.map((b) => b.map((i) => i.requestId)), [['r0', 'r1', 'r2'], ['r3', 'r4', 'r5'], ['r6']]);
  assert.deepEqual(batches[2], [{ requestId: 'r6', labels: [6] }]);
  await assert.rejects(all(labelBatches(of(items[0]!, '', '{"requestId":"x"'))), (err: unknown) => err instanceof LabelsFileError && err.line === 3 && err.message === 'line 3: not JSON');
  await assert.rejects(all(labelBatches(of(items[0]!, '{"requestId":"x","lable":1}'))), /^Error: line 2: expected \{"requestId","label"\}/);
  assert.deepEqual(await all(labelBatches(of())), []);
});

test('lines: split across chunks, UTF-8 kept, a last line without newline, an over-long line refused', async () => {
  const euro = new TextEncoder().encode('€');
  const split = of(new TextEncoder().encode('a\nb'), euro.subarray(0, 1), euro.subarray(1), new TextEncoder().encode('\n\nlast'));
  assert.deepEqual(await all(lines(split)), ['a', 'b€', '', 'last']);
  await assert.rejects(all(lines(chunks('short\n', 'x'.repeat(20)), 10)), /a line longer than 10 characters/);
  assert.deepEqual(await all(lines(chunks('0123456789\n'), 10)), ['0123456789']);
});
