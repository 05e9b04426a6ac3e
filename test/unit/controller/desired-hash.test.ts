import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
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

test('key order, integer-like keys, __proto__, undefined, holes and dates hash as before', () => {
  const holes: unknown[] = [1];
  holes[3] = 'x';
  const cases: unknown[] = [
    { b: 1, a: { d: [3, { z: 1, y: undefined }], c: null } },
    { '10': 'ten', '9': 'nine', b: true, '01': 'zero-one' },
    JSON.parse('{"__proto__": {"x": 1}, "a": 2}'),
    [undefined, NaN, 'é"\\'],
    holes,
    { when: new Date(0), empty: {}, list: [] },
  ];
  for (const value of cases) assert.equal(desiredHash(value), referenceHash(value), JSON.stringify(value));
  assert.equal(desiredHash({ b: 2, a: 1 }), desiredHash({ a: 1, b: 2 }));
  assert.notEqual(desiredHash({ a: 1 }), desiredHash({ a: 2 }));
});
