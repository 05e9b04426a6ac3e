// A logged reference as a table: default feature names a check's default mapping reads back, rows mapped
// as a check maps them, the predictions as the last column, and a bounded uniform sample of the rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveMapping } from '../../../src/drift-job/feature-mapping.ts';
import type { LoggedRequest } from '../../../src/drift-job/logged-request.ts';
import { defaultFeatureNames, LoggedTable, PREDICTIONS_COLUMN } from '../../../src/drift-job/logged-table.ts';
import { requestInputs } from '../../../src/drift-job/request-inputs.ts';
import { seededRandom } from '../../../src/drift-job/seeded-random.ts';

function request(body: unknown, response?: unknown): LoggedRequest {
  const parsed = requestInputs(body);
  assert.equal(parsed.kind, 'inputs');
  return parsed.kind === 'inputs' ? { inputs: parsed.inputs, rows: parsed.rows, response } : { inputs: [], rows: 0, response };
}

const v2 = (rows: number[][]) => ({ inputs: [{ name: 'input-0', shape: [rows.length, rows[0]!.length], datatype: 'FP64', data: rows.flat() }] });
const outputs = (data: unknown[]) => ({ outputs: [{ name: 'predict', shape: [data.length], data }] });

test('default feature names: <input>[i] for one wide input, input names for 1-D inputs, and a check maps them back', () => {
  const wide = request(v2([[1, 2, 3]])).inputs;
  const names = defaultFeatureNames(wide);
  assert.deepEqual(names, ['input-0[0]', 'input-0[1]', 'input-0[2]']);
  assert.deepEqual(resolveMapping(wide, names), [0, 1, 2].map((index) => ({ feature: `input-0[${index}]`, input: 'input-0', index })));
  const oneD = request({ instances: [{ age: 3, colour: 'red' }] }).inputs;
  assert.deepEqual(defaultFeatureNames(oneD), ['age', 'colour']);
  assert.equal(typeof resolveMapping(oneD, ['age', 'colour']), 'object');
  const mixed = request({ inputs: [{ name: 'a', shape: [1, 2], data: [1, 2] }, { name: 'b', shape: [1], data: [3] }] }).inputs;
  assert.match(defaultFeatureNames(mixed) as string, /inputs 'a' \(2 values a row\), 'b' \(1-D\).*set spec\.monitoring\.drift\.features/);
});

test('rows are mapped as a check maps them, predictions last; listed features pick their values', () => {
  const table = new LoggedTable(undefined, seededRandom(1));
  table.add(request(v2([[1, 2], [3, 4]]), outputs(['a', 'b'])));
  table.add(request(v2([[5, 6]]))); // no response: its prediction is missing
  const t = table.table();
  assert.equal(table.rows, 3);
  assert.equal(table.predictions, 2);
  assert.deepEqual(t.columns, ['input-0[0]', 'input-0[1]', PREDICTIONS_COLUMN]);
  assert.deepEqual([...t.values.get('input-0[1]')!.numbers()], [2, 4, 6]);
  assert.deepEqual([...t.values.get(PREDICTIONS_COLUMN)!.texts], [['a', 1], ['b', 1]]);
  assert.equal(t.values.get(PREDICTIONS_COLUMN)!.missing, 1);

  const listed = new LoggedTable([{ name: 'second', index: 1 }], seededRandom(1));
  listed.add(request(v2([[1, 2], [3, 4]])));
  assert.deepEqual([...listed.table().values.get('second')!.numbers()], [2, 4]);
  assert.deepEqual(listed.table().columns, ['second']);
  assert.throws(() => new LoggedTable([{ name: 'x', index: 7 }], seededRandom(1)).add(request(v2([[1, 2]]))), /reads index 7 of input 'input-0', which has 2 values a row/);
});

test('the kept rows are a bounded uniform sample; the count of rows read is exact', () => {
  const table = new LoggedTable(undefined, seededRandom(3), 1000);
  for (let i = 0; i < 10_000; i++) table.add(request({ instances: [[i]] }));
  const t = table.table();
  assert.equal(table.rows, 10_000);
  assert.equal(t.rows, 1000);
  const kept = [...t.values.get('instances')!.numbers()];
  const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
  // Uniform over 0..9999: mean 5000, standard error about 91.
  assert.ok(Math.abs(mean - 5000) < 400, `mean ${mean}`);
  assert.ok(kept.some((v) => v >= 9000), 'late rows are kept too');
});
