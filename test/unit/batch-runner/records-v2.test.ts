import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { scoreWithBisection, type InferOutcome } from '../../../src/batch-runner/bisect.ts';
import { parseCsvRecord, parseJsonRecord, parseParquetRow, splitCsv, truncateRaw } from '../../../src/batch-runner/records.ts';
import { buildRequest, inferPath, splitResponse } from '../../../src/batch-runner/v2.ts';

void test('jsonl: arrays fix the width, objects fix the keys in the first record\'s order', () => {
  const first = parseJsonRecord('[1, 2.5, 3]', undefined);
  assert.ok(first.ok);
  assert.deepEqual(first.row, [1, 2.5, 3]);
  assert.deepEqual(parseJsonRecord('[1, 2]', first.shape), { ok: false, reason: '2 values where the first record had 3' });
  assert.equal(parseJsonRecord('[1, "2", 3]', first.shape).ok, false);
  assert.equal(parseJsonRecord('{"a": 1}', first.shape).ok, false);
  assert.deepEqual(parseJsonRecord('{"a": 1', undefined), { ok: false, reason: 'not valid JSON' });
  const obj = parseJsonRecord('{"b": 1, "a": 2}', undefined);
  assert.ok(obj.ok);
  const again = parseJsonRecord('{"a": 4, "b": 3}', obj.shape);
  assert.ok(again.ok);
  assert.deepEqual(again.row, [3, 4]);
  assert.equal(parseJsonRecord('{"a": 4, "c": 3}', obj.shape).ok, false);
  assert.equal(parseJsonRecord('{"a": 4, "b": 3, "c": 1}', obj.shape).ok, false);
  assert.equal(parseJsonRecord('{"a": null, "b": 3}', obj.shape).ok, false);
});

void test('csv: cells by the header, quoted cells, numbers only', () => {
  assert.deepEqual(splitCsv('1,"2,5","a""b"'), ['1', '2,5', 'a"b']);
  assert.equal(splitCsv('1,"2'), undefined);
  const r = parseCsvRecord('5.1, 3.5,"1.4",0.2', ['a', 'b', 'c', 'd']);
  assert.ok(r.ok);
  assert.deepEqual(r.row, [5.1, 3.5, 1.4, 0.2]);
  assert.deepEqual(parseCsvRecord('1,2', ['a', 'b', 'c']), { ok: false, reason: '2 cells where the header has 3' });
  assert.deepEqual(parseCsvRecord('1,x,3', ['a', 'b', 'c']), { ok: false, reason: "column 'b' is not a number" });
  assert.equal(parseCsvRecord('1,,3', ['a', 'b', 'c']).ok, false);
});

void test('parquet rows: numeric columns, bigint as number', () => {
  const r = parseParquetRow({ a: 1n, b: 2.5, label: 'x' }, ['a', 'b']);
  assert.ok(r.ok);
  assert.deepEqual(r.row, [1, 2.5]);
  assert.equal(parseParquetRow({ a: null, b: 1 }, ['a', 'b']).ok, false);
});

void test('raw records are kept up to 1 KiB', () => {
  assert.equal(truncateRaw('x'.repeat(5000)).length, 1024);
  assert.equal(truncateRaw('abc'), 'abc');
});

void test('V2 request: one FP64 input of shape [n, k], rows flattened', () => {
  assert.deepEqual(buildRequest([[1, 2], [3, 4], [5, 6]]), { inputs: [{ name: 'input-0', shape: [3, 2], datatype: 'FP64', data: [1, 2, 3, 4, 5, 6] }] });
  assert.equal(inferPath('iris', undefined), '/v2/models/iris/infer');
  assert.equal(inferPath('iris', '3'), '/v2/models/iris/versions/3/infer');
});

void test('V2 response: shape [n] gives scalars, [n, m] arrays, flat or nested data', () => {
  assert.deepEqual(splitResponse({ model_version: 'v1', outputs: [{ shape: [3], data: [0, 1, 2] }] }, 3), { ok: true, predictions: [0, 1, 2], modelVersion: 'v1' });
  assert.deepEqual(splitResponse({ outputs: [{ shape: [2, 2], data: [0.1, 0.9, 0.8, 0.2] }] }, 2), { ok: true, predictions: [[0.1, 0.9], [0.8, 0.2]], modelVersion: undefined });
  assert.deepEqual(splitResponse({ outputs: [{ shape: [2, 1], data: [[1], [0]] }] }, 2), { ok: true, predictions: [[1], [0]], modelVersion: undefined });
  assert.equal(splitResponse({ outputs: [{ shape: [2], data: [1, 2] }] }, 3).ok, false);
  assert.equal(splitResponse({ outputs: [{ shape: [3], data: [1, 2] }] }, 3).ok, false);
  assert.equal(splitResponse({ outputs: [] }, 1).ok, false);
});

void test('bisection: the records refused alone become errors, every other one is scored, in order', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 70 }), async (bad) => {
      const rows = bad.map((b, i) => ({ i, b }));
      let calls = 0;
      const infer = (batch: readonly { i: number; b: boolean }[]): Promise<InferOutcome> => {
        calls++;
        return Promise.resolve(batch.some((r) => r.b) ? { ok: false, reason: 'HTTP 400' } : { ok: true, predictions: batch.map((r) => r.i * 10) });
      };
      const results = await scoreWithBisection(rows, infer);
      assert.equal(results.length, rows.length);
      results.forEach((r, i) => assert.deepEqual(r, bad[i] ? { ok: false, reason: 'HTTP 400' } : { ok: true, prediction: i * 10 }));
      const nBad = bad.filter(Boolean).length;
      assert.ok(calls <= 1 + 2 * Math.max(1, nBad) * Math.ceil(Math.log2(rows.length) + 1));
    }),
  );
});

void test('buildRequest flattens any number of rows in order, past one concat slice', () => {
  const rows = Array.from({ length: 2500 }, (_, i) => [i, i + 0.5]);
  const { inputs } = buildRequest(rows);
  assert.deepEqual(inputs[0].shape, [2500, 2]);
  assert.deepEqual(inputs[0].data, rows.flat());
});
