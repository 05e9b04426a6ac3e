// ownsAllFields walks the desired object against our managedFields entry: held to the definition it had
// before its loops were made allocation-light (kept here as the reference), on generated objects and
// field sets with fields taken away, list keys changed and values of every JSON type.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ownsAllFields } from '../../../src/controller/owned-fields.ts';

type FieldSet = Record<string, unknown>;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const untrackedTopLevel = new Set(['apiVersion', 'kind', 'status']);
const untrackedMetadata = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields']);

/** The definition before: Object.entries, a parse of each list key per item, texts compared. */
function referenceMatchesKey(item: Record<string, unknown>, keyJson: string): boolean {
  let key: unknown;
  try {
    key = JSON.parse(keyJson);
  } catch {
    return false;
  }
  if (!isObject(key)) return false;
  let matched = 0;
  for (const [k, v] of Object.entries(key)) {
    if (item[k] === undefined) continue;
    if (JSON.stringify(item[k]) !== JSON.stringify(v)) return false;
    matched++;
  }
  return matched > 0;
}
function referenceListCovered(items: unknown[], owned: FieldSet): boolean {
  const keys = Object.keys(owned);
  if (keys.length === 0) return true;
  for (const item of items) {
    if (isObject(item)) {
      const entry = keys.find((k) => k.startsWith('k:') && referenceMatchesKey(item, k.slice(2)));
      if (!entry) return false;
      if (!referenceValueCovered(item, owned[entry])) return false;
    } else if (!keys.includes(`v:${JSON.stringify(item)}`)) {
      return false;
    }
  }
  return true;
}
function referenceValueCovered(value: unknown, owned: unknown): boolean {
  if (!isObject(owned)) return false;
  if (Array.isArray(value)) return referenceListCovered(value, owned);
  if (isObject(value)) return Object.keys(owned).length === 0 || referenceMapCovered(value, owned, false);
  return true;
}
function referenceMapCovered(desired: Record<string, unknown>, owned: FieldSet, topLevel: boolean): boolean {
  for (const [k, v] of Object.entries(desired)) {
    if (v === undefined || v === null) continue;
    if (topLevel && untrackedTopLevel.has(k)) continue;
    if (topLevel && k === 'metadata' && isObject(v)) {
      const meta = Object.fromEntries(Object.entries(v).filter(([mk]) => !untrackedMetadata.has(mk)));
      if (Object.keys(meta).length === 0) continue;
      if (!referenceValueCovered(meta, owned['f:metadata'])) return false;
      continue;
    }
    if (!(`f:${k}` in owned)) return false;
    if (!referenceValueCovered(v, owned[`f:${k}`])) return false;
  }
  return true;
}
function reference(desired: unknown, fieldsV1: unknown): boolean {
  if (!isObject(desired) || !isObject(fieldsV1)) return false;
  return referenceMapCovered(desired, fieldsV1, true);
}

/** The fields entry the API server would record for `v`: list items keyed by name, or by port and protocol. */
function fieldsOf(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out: FieldSet = {};
    for (const item of v) {
      if (isObject(item)) {
        const key = 'name' in item ? { name: item['name'] } : { containerPort: item['containerPort'], protocol: 'TCP' };
        out[`k:${JSON.stringify(key)}`] = fieldsOf(item);
      } else out[`v:${JSON.stringify(item)}`] = {};
    }
    return out;
  }
  if (!isObject(v)) return {};
  const out: FieldSet = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined && x !== null) out[`f:${k}`] = isObject(x) || Array.isArray(x) ? fieldsOf(x) : {};
  return out;
}

/** Every object node of a field set, depth first: the places a change can be made. */
function nodes(v: unknown, into: FieldSet[] = []): FieldSet[] {
  if (!isObject(v)) return into;
  into.push(v);
  for (const x of Object.values(v)) nodes(x, into);
  return into;
}

const scalar = fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -2, max: 9000 }), fc.boolean(), fc.constant(null), fc.constant(0.5), fc.constant(-0));
const named = (value: fc.Arbitrary<unknown>) => fc.record({ name: fc.constantFrom('a', 'b', 'server', '{"x"}'), value }, { requiredKeys: ['name'] });
const ported = fc.record({ containerPort: fc.constantFrom(80, 8080, 9000), protocol: fc.constantFrom('TCP', 'UDP', undefined) }, { requiredKeys: ['containerPort'] });
const tree = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, tie('object'), fc.array(fc.oneof(named(tie('value')), ported, scalar), { maxLength: 3 })),
  object: fc.dictionary(fc.constantFrom('spec', 'template', 'containers', 'ports', 'labels', 'a', 'b', '__proto__', 'constructor', '0'), tie('value'), { maxKeys: 4 }),
})).object;
const desiredObjects = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Thing'),
  metadata: fc.record({ name: fc.constant('m'), labels: fc.option(fc.dictionary(fc.constantFrom('a', 'b'), fc.string({ maxLength: 3 })), { nil: undefined }), uid: fc.option(fc.constant('u'), { nil: undefined }) }, { requiredKeys: [] }),
  spec: tree,
  status: fc.option(tree, { nil: undefined }),
}, { requiredKeys: ['apiVersion', 'kind', 'metadata'] });

void test('ownsAllFields answers as the definition before it, for field sets with fields taken away, emptied, keys changed or retyped and values replaced', () => {
  let owned = 0;
  let notOwned = 0;
  fc.assert(
    fc.property(desiredObjects, fc.nat(), fc.constantFrom('as-recorded', 'drop', 'empty', 'rekey', 'retype', 'scalar'), (desired, pick, change) => {
      const fields = fieldsOf(desired) as FieldSet;
      const all = nodes(fields);
      const node = all[pick % all.length]!;
      const keys = Object.keys(node);
      const key = keys[pick % Math.max(1, keys.length)];
      if (key !== undefined) {
        if (change === 'drop') delete node[key];
        if (change === 'empty') node[key] = {};
        if (change === 'scalar') node[key] = 'x';
        if (change === 'rekey' && key.startsWith('k:')) {
          node[key.replace(/"$|"}$/, (m) => `!${m}`).replace(/(\d+)/, '7$1')] = node[key];
          delete node[key];
        }
        // The same port as a string: equal under ==, not in JSON.
        if (change === 'retype' && /:\d/.test(key)) {
          node[key.replace(/:(\d+)/, ':"$1"')] = node[key];
          delete node[key];
        }
      }
      const got = ownsAllFields(desired, fields);
      assert.equal(got, reference(desired, fields));
      if (got) owned++;
      else notOwned++;
    }),
    { numRuns: 2000 },
  );
  // Both answers are reached often: the property says something about each.
  assert.ok(owned > 200 && notOwned > 200, `owned ${owned}, not owned ${notOwned}`);
});

void test('a list key that is not JSON, or not an object, matches no item; an item matched by no key is not owned', () => {
  const desired = { spec: { ports: [{ name: 'http', port: 80 }] } };
  assert.equal(ownsAllFields(desired, { 'f:spec': { 'f:ports': { 'k:{"name":"http"}': { 'f:name': {}, 'f:port': {} } } } }), true);
  assert.equal(ownsAllFields(desired, { 'f:spec': { 'f:ports': { 'k:{"name":"http"': { 'f:name': {}, 'f:port': {} } } } }), false);
  assert.equal(ownsAllFields(desired, { 'f:spec': { 'f:ports': { 'k:["http"]': { 'f:name': {}, 'f:port': {} } } } }), false);
  assert.equal(ownsAllFields(desired, { 'f:spec': { 'f:ports': { 'k:{"name":"grpc"}': { 'f:name': {}, 'f:port': {} } } } }), false);
  assert.equal(ownsAllFields(desired, { 'f:spec': { 'f:ports': { 'k:{"protocol":"TCP"}': { 'f:name': {}, 'f:port': {} } } } }), false, 'no key field the item has');
});
