// The reference table and its profile: column types (numeric when every value is a number, categorical
// otherwise or when told), the target's type (integers and text are categorical), missing values, the
// columns kept, and the errors a user can act on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProfileDocument } from '../../../src/drift-job/profile-document.ts';
import { keepsColumn, referenceProfile, type ProfileInputs } from '../../../src/drift-job/reference-profile.ts';
import { csvCell, jsonCell, ReferenceTable } from '../../../src/drift-job/reference-table.ts';

function table(rows: readonly Record<string, unknown>[], inputs: ProfileInputs, maxColumns = 64): ReferenceTable {
  const t = new ReferenceTable(keepsColumn(inputs), maxColumns);
  for (const row of rows) t.addRow(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' ? csvCell(v) : jsonCell(v)] as const));
  return t;
}

const rows = Array.from({ length: 200 }, (_, i) => ({ x: String(i / 10), colour: ['red', 'green', 'blue'][i % 3]!, code: String(i % 4), id: String(i), label: String(i % 2), score: String(i / 7) }));

test('types by the values, the target apart, excluded columns not profiled', () => {
  const inputs = { target: 'label', exclude: ['id', 'score'] };
  const doc = referenceProfile(table(rows, inputs), inputs, 's3://d/r.csv', '2026-03-01T00:00:00.000Z');
  assert.deepEqual(doc.features.map((f) => [f.name, f.profile.kind]), [['x', 'numeric'], ['colour', 'categorical'], ['code', 'numeric']]);
  assert.equal(doc.rows, 200);
  assert.equal(doc.target?.profile.kind, 'categorical', 'integer labels are classes');
  const withFractionalTarget = { target: 'score', exclude: ['id', 'label'] };
  assert.equal(referenceProfile(table(rows, withFractionalTarget), withFractionalTarget, 'r', 't').target?.profile.kind, 'numeric');
  // A profile document reads back as written.
  assert.deepEqual(parseProfileDocument(JSON.stringify(doc)), doc);
});

test('features listed: only those, with their declared types', () => {
  const inputs: ProfileInputs = { exclude: [], features: [{ name: 'code', type: 'categorical' }, { name: 'x' }] };
  const t = table(rows, inputs);
  assert.deepEqual([...t.values.keys()].sort(), ['code', 'x'], 'other columns are not kept');
  const doc = referenceProfile(t, inputs, 'r', 't');
  assert.deepEqual(doc.features.map((f) => [f.name, f.profile.kind]), [['code', 'categorical'], ['x', 'numeric']]);
  const code = doc.features[0]!.profile;
  assert.ok(code.kind === 'categorical' && code.categories.join() === '0,1,2,3');
  const wrong: ProfileInputs = { exclude: [], features: [{ name: 'colour', type: 'numeric' }] };
  assert.throws(() => referenceProfile(table(rows, wrong), wrong, 'r', 't'), /'colour' is declared numeric but the reference has the value "red"/);
});

test('missing values are counted, not binned; late columns count earlier rows as missing', () => {
  const inputs = { exclude: [] };
  const t = table([{ a: 1 }, { a: null, b: 'x' }, { a: 3, b: 'y' }, { a: '', b: 'x' }], inputs);
  const doc = referenceProfile(t, inputs, 'r', 't');
  const a = doc.features.find((f) => f.name === 'a')!.profile;
  assert.ok(a.kind === 'numeric');
  assert.equal(a.summary.count, 2);
  assert.equal(a.summary.missing, 2);
  const b = doc.features.find((f) => f.name === 'b')!.profile;
  assert.ok(b.kind === 'categorical');
  assert.equal(b.missing, 1);
});

test('errors a user can act on', () => {
  const inputs = { target: 'nope', exclude: [] };
  assert.throws(() => referenceProfile(table(rows, inputs), inputs, 'r', 't'), /no target column 'nope'/);
  const listed: ProfileInputs = { exclude: [], features: [{ name: 'absent' }] };
  assert.throws(() => referenceProfile(table(rows, listed), listed, 'r', 't'), /no column 'absent'/);
  assert.throws(() => table(rows, { exclude: [] }, 3), /more than 3 feature columns: exclude the others, or list the features/);
  assert.throws(() => referenceProfile(table([], { exclude: [] }), { exclude: [] }, 'r', 't'), /no rows/);
});

test('CSV and JSON cells: numbers, text, missing', () => {
  assert.equal(csvCell(' 1.5 '), 1.5);
  assert.equal(csvCell('1e3'), 1000);
  assert.equal(csvCell(''), null);
  assert.equal(csvCell('  '), null);
  assert.equal(csvCell('setosa'), 'setosa');
  assert.equal(csvCell('Infinity'), 'Infinity');
  assert.equal(jsonCell(10n), 10);
  assert.equal(jsonCell(true), 'true');
  assert.equal(jsonCell(Number.NaN), null);
  assert.equal(jsonCell('x'.repeat(300)), 'x'.repeat(256));
});

test('a profile with another apiVersion or a broken shape is refused with a reason', () => {
  assert.match(parseProfileDocument('{"apiVersion":"modelship.io/profile/v0"}') as string, /apiVersion is "modelship.io\/profile\/v0".*profile the reference again/);
  assert.match(parseProfileDocument('nope') as string, /not valid JSON/);
  const broken = { apiVersion: 'modelship.io/profile/v1', rows: 1, reference: 'r', createdAt: 't', features: [{ name: 'a', profile: { kind: 'numeric', edges: [1], counts: [1], summary: { count: 1, missing: 0, mean: 1, std: 0, min: 1, max: 1 }, sample: [1] } }] };
  assert.match(parseProfileDocument(JSON.stringify(broken)) as string, /one count per bin/);
});
