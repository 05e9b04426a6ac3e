import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { loadAll } from 'js-yaml';
import { desiredHash } from '../../../src/controller/apply-decision.ts';

/** The definition the live children's hashes were written with: a sorted copy through Object.fromEntries. */
function referenceHash(obj: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256').update(JSON.stringify(canonical(obj))).digest('hex').slice(0, 20);
}

const goldenDir = new URL('../render/golden/', import.meta.url);

test('every rendered golden child hashes as it did with the sorted copy of Object.fromEntries', () => {
  let objects = 0;
  for (const file of readdirSync(goldenDir)) {
    for (const obj of loadAll(readFileSync(new URL(file, goldenDir), 'utf8'))) {
      assert.equal(desiredHash(obj), referenceHash(obj), file);
      objects++;
    }
  }
  assert.ok(objects > 50, `only ${objects} golden objects`);
});

test('key order, integer-like keys, __proto__, undefined and holes hash as before; a date as its JSON text', () => {
  const holes: unknown[] = [1];
  holes[3] = 'x';
  const cases: unknown[] = [
    { b: 1, a: { d: [3, { z: 1, y: undefined }], c: null } },
    { '10': 'ten', '9': 'nine', b: true, '01': 'zero-one' },
    JSON.parse('{"__proto__": {"x": 1}, "a": 2}'),
    [undefined, NaN, 'é"\\'],
    holes,
    { empty: {}, list: [] },
  ];
  for (const value of cases) assert.equal(desiredHash(value), referenceHash(value), JSON.stringify(value));
  // The hash is of a JSON value: a date hashes as the text it is written as.
  assert.equal(desiredHash({ when: new Date(0) }), referenceHash({ when: '1970-01-01T00:00:00.000Z' }));
  assert.equal(desiredHash({ b: 2, a: 1 }), desiredHash({ a: 1, b: 2 }));
  assert.notEqual(desiredHash({ a: 1 }), desiredHash({ a: 2 }));
});

/** The same object with every object's keys in reverse order. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (typeof v !== 'object' || v === null) return v;
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(v).reverse()) out[k] = reversedKeys((v as Record<string, unknown>)[k]);
  return out;
}

test('any JSON value hashes as its sorted copy does, the first time, again, with its keys in another order and after a change', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), (value, other) => {
      const want = referenceHash(value);
      assert.equal(desiredHash(value), want);
      assert.equal(desiredHash(value), want, 'remembered');
      assert.equal(desiredHash(reversedKeys(value)), want, 'another key order');
      // One object changed in place between two hashes: its content, not its identity, decides.
      const box: Record<string, unknown> = { v: value };
      assert.equal(desiredHash(box), referenceHash(box));
      box['v'] = other;
      assert.equal(desiredHash(box), referenceHash({ v: other }));
    }),
    { numRuns: 500 },
  );
});
