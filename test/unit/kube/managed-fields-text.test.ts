// parseKubeJson: the API server's text parsed with the managedFields entries nobody reads left out,
// equal to JSON.parse but for those entries (and a kept entry's fieldsV1 as its JSON text). The
// fixtures are answers of a real API server (Kubernetes 1.35) to `kubectl get --raw` on a converged model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { parseKubeJson, type ManagedFieldsKept } from '../../../src/kube/managed-fields-text.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Entry {
  manager?: string;
  fieldsV1?: unknown;
  [key: string]: unknown;
}

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/api-server-text/${name}.json`, import.meta.url), 'utf8');

/** JSON.parse's result with the entries `kept` leaves out removed from every metadata, fieldsV1 as parsed objects. */
function expected(text: string, kept: ManagedFieldsKept): unknown {
  return mapMetadata(JSON.parse(text), (entries) => entries.filter((e) => kept === 'all' || (kept !== 'none' && e.manager === kept.manager)));
}

/** The same shape, for comparing: a kept entry's fieldsV1 text parsed back. */
function withParsedFields(value: unknown): unknown {
  return mapMetadata(value, (entries) => entries.map((e) => (typeof e.fieldsV1 === 'string' ? { ...e, fieldsV1: JSON.parse(e.fieldsV1) as unknown } : e)));
}

function mapMetadata(value: unknown, f: (entries: Entry[]) => Entry[]): unknown {
  if (Array.isArray(value)) return value.map((v) => mapMetadata(v, f));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const meta = k === 'metadata' && typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
    out[k] = meta && Array.isArray(meta['managedFields']) ? { ...meta, managedFields: f(meta['managedFields'] as Entry[]) } : mapMetadata(v, f);
  }
  return out;
}

/** Every managedFields entry of every object in `value`. */
function entries(value: unknown): Entry[] {
  if (Array.isArray(value)) return value.flatMap(entries);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const meta = record['metadata'] as Record<string, unknown> | undefined;
  const own = Array.isArray(meta?.['managedFields']) ? (meta['managedFields'] as Entry[]) : [];
  return [...own, ...Object.values(record).flatMap(entries)];
}

const modelship = { manager: 'modelship' } as const;

void test('a Deployment list: only modelship entries are parsed, their fieldsV1 as text; everything else as JSON.parse gives it', () => {
  const text = fixture('deployment-list');
  const parsed = parseKubeJson(text, modelship);
  assert.deepEqual(withParsedFields(parsed), expected(text, modelship));
  const kept = entries(parsed);
  assert.deepEqual(
    kept.map((e) => e.manager),
    ['modelship'],
  );
  assert.equal(typeof kept[0]?.fieldsV1, 'string', 'the kept fieldsV1 is its JSON text');
  assert.ok(entries(JSON.parse(text)).length > 1, 'the fixture holds other managers too');
});

void test('a pod list with no entry kept: no managedFields entry is parsed', () => {
  const text = fixture('pod-list');
  const parsed = parseKubeJson(text, 'none');
  assert.deepEqual(parsed, expected(text, 'none'));
  assert.equal(entries(parsed).length, 0);
  assert.equal((parsed as { items: unknown[] }).items.length, 2);
});

void test('watch events of each fixture object, with and without the newline an answer ends with', () => {
  for (const name of ['deployment-list', 'pod-list', 'horizontal-pod-autoscaler-list']) {
    const list = JSON.parse(fixture(name)) as { items: unknown[] };
    for (const object of list.items) {
      const line = JSON.stringify({ type: 'MODIFIED', object });
      for (const text of [line, `${line}\n`]) {
        for (const kept of ['none', modelship] as const) {
          const parsed = parseKubeJson(text, kept);
          assert.deepEqual(withParsedFields(parsed), expected(text, kept));
          assert.ok(entries(parsed).every((e) => kept !== 'none' && e.manager === 'modelship' && typeof e.fieldsV1 === 'string'), `${name}: only kept entries`);
        }
      }
    }
  }
});

void test("a custom resource's keys are sorted, so its entries do not begin with the manager: parsed whole, still right", () => {
  const text = fixture('model-deployment-list');
  assert.deepEqual(parseKubeJson(text, 'none'), expected(text, 'none'));
  // Whole: every entry, as JSON.parse gives them; the caches filter them anyway.
  assert.deepEqual(parseKubeJson(text, modelship), JSON.parse(text));
});

void test("'all' is JSON.parse", () => {
  const text = fixture('deployment-list');
  assert.deepEqual(parseKubeJson(text, 'all'), JSON.parse(text));
  assert.deepEqual(parseKubeJson(text), JSON.parse(text));
});

void test('a manager whose name begins with the kept one is not kept', () => {
  const entry = (manager: string) => ({ manager, operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } });
  const text = JSON.stringify({ metadata: { name: 'x', managedFields: [entry('modelship-x'), entry('modelship'), entry('other')] }, spec: {} });
  const parsed = parseKubeJson(text, modelship) as { metadata: { managedFields: Entry[] } };
  assert.deepEqual(
    parsed.metadata.managedFields.map((e) => e.manager),
    ['modelship'],
  );
});

void test('white space where the API server writes none: a bracket that may be in a string is not taken for the end', () => {
  // The key `k:]},` ends with what would close the array; white space follows its closing quote.
  const text = '{"metadata":{"name":"x","managedFields":[{"manager":"a","fieldsV1":{"k:]},"  :{}}}]},"spec":{}}';
  assert.deepEqual(parseKubeJson(text, 'none'), JSON.parse(text));
});

/** A fieldsV1 tree: keys of any text (brackets, quotes, backslashes, "manager"), leaves `{}`. */
function fieldsV1(text: fc.Arbitrary<string>): fc.Arbitrary<Json> {
  const key = fc.oneof(text, fc.constantFrom('manager', 'f:metadata', 'k:{"name":"a"}'));
  return fc.letrec<{ tree: Json }>((tie) => ({
    tree: fc.oneof({ depthSize: 'small' }, fc.constant({}), fc.dictionary(key, tie('tree'), { maxKeys: 3 })),
  })).tree;
}

/** Strings that look like JSON's structure, to lead the cut astray. */
const adversarial = fc.oneof(
  fc.string(),
  fc.constantFrom(']', ']},"a', '},{"manager":"modelship"', '"managedFields":[', '\\', '\u2028', 'k:{"name":"a]},\\"x"}', 'v:["a"]', ']},"spec":{'),
);

/** An entry, keys in the Go struct's order. */
function entry(text: fc.Arbitrary<string>) {
  return fc.record(
    {
      manager: fc.oneof(fc.constantFrom('modelship', 'kube-controller-manager', 'modelship-x'), text),
      operation: fc.constantFrom('Apply', 'Update'),
      apiVersion: text,
      time: text,
      fieldsType: fc.constant('FieldsV1'),
      fieldsV1: fieldsV1(text),
      subresource: fc.constantFrom('status', 'scale'),
    },
    { requiredKeys: ['manager', 'operation', 'fieldsType', 'fieldsV1'] },
  );
}

/** An object as the API server writes a built-in kind: metadata first, managedFields its last key; as itself, in a list, or in a watch event. */
function kubeText(text: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const object = fc.record({
    kind: text,
    metadata: fc.record({
      name: text,
      labels: fc.dictionary(text, text, { maxKeys: 3 }),
      annotations: fc.dictionary(text, text, { maxKeys: 3 }),
      managedFields: fc.array(entry(text), { maxLength: 4 }),
    }),
    spec: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  });
  return fc.oneof(object, fc.record({ items: fc.array(object, { maxLength: 3 }) }), fc.record({ type: fc.constant('ADDED'), object }));
}

const kepts = fc.constantFrom<ManagedFieldsKept>('none', modelship);

void test('property: whatever the strings hold, the text parses as JSON.parse would, but for entries left out', () => {
  fc.assert(
    fc.property(kubeText(adversarial), kepts, (value, kept) => {
      const text = JSON.stringify(value);
      // Text that does not fit the facts is parsed whole, with every entry: the caches filter them anyway.
      assert.deepEqual(expected(JSON.stringify(withParsedFields(parseKubeJson(text, kept))), kept), expected(text, kept));
    }),
    { numRuns: 500 },
  );
});

void test('property: with brackets and quotes in strings now and then, the entries are nearly always cut', () => {
  let cut = 0;
  let runs = 0;
  fc.assert(
    fc.property(kubeText(fc.string()), kepts, (value, kept) => {
      const text = JSON.stringify(value);
      runs++;
      if (isDeepStrictEqual(withParsedFields(parseKubeJson(text, kept)), expected(text, kept))) cut++;
    }),
    { numRuns: 500 },
  );
  assert.ok(cut > runs * 0.9, `${cut} of ${runs} cut`);
});
