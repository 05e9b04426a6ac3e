// The generator carries into the CRD what zod checks but OpenAPI alone cannot say: map keys, the
// bounds of an int-or-string's integer, int32/int64 ranges, and regexes as Go's RE2 reads them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { modelDeploymentOpenApiSchema } from '../../../src/api/crd/model-deployment-crd.ts';
import { celString, mapKeyRules } from '../../../src/api/crd/map-key-rules.ts';
import { re2Pattern } from '../../../src/api/crd/re2-pattern.ts';
import { StructuralSchemaError, toStructuralSchema } from '../../../src/api/crd/structural-schema.ts';
import { crdJsonSchema } from '../../../src/api/crd/zod-json-schema.ts';
import type { StructuralSchema } from '../../../src/api/crd/structural-schema.ts';
import { int32, int64 } from '../../../src/api/common.ts';
import { quantitySchema } from '../../../src/api/quantity.ts';

function structural(schema: z.ZodType): StructuralSchema {
  return toStructuralSchema(crdJsonSchema(schema));
}

function rulesOf(node: StructuralSchema | undefined): string[] {
  return (node?.['x-kubernetes-validations'] ?? []).map((v) => v.rule);
}

void test('int32 fields keep their bounds: the API server does not enforce format int32', () => {
  const out = structural(z.strictObject({ a: int32(), b: int32().min(0), c: int32().min(1).max(100) }));
  assert.deepEqual(out.properties!.a, { type: 'integer', format: 'int32', minimum: -2147483648, maximum: 2147483647 });
  assert.deepEqual(out.properties!.b, { type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 });
  assert.deepEqual(out.properties!.c, { type: 'integer', format: 'int32', minimum: 1, maximum: 100 });
});

void test('int64 fields keep the safe-integer range zod checks', () => {
  const out = structural(z.strictObject({ a: int64().min(0), b: z.int() }));
  assert.deepEqual(out.properties!.a, { type: 'integer', format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
  assert.equal(out.properties!.b!.format, 'int64');
  assert.equal(out.properties!.b!.minimum, Number.MIN_SAFE_INTEGER);
});

void test('the integer branch of an int-or-string gets its bounds as CEL rules', () => {
  const q = structural(z.strictObject({ q: quantitySchema })).properties!.q!;
  assert.deepEqual(q.anyOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.deepEqual(rulesOf(q), ['type(self) == string || self >= 0', `type(self) == string || self <= ${Number.MAX_SAFE_INTEGER}`]);
  assert.equal(q.maxLength, 64);
});

void test('an int-or-string branch with a constraint the CRD cannot carry fails generation', () => {
  const bad = z.union([z.int(), z.string().email()]).meta({ 'x-kubernetes-int-or-string': true });
  assert.throws(() => structural(z.strictObject({ q: bad })), StructuralSchemaError);
});

void test('map keys become CEL rules on the map, with the zod message', () => {
  const map = z
    .record(z.string().min(1).max(20).regex(/^[a-z]+$/, { error: 'must be lower-case letters' }), z.string().max(5))
    .meta({ maxProperties: 4 });
  const out = structural(z.strictObject({ m: map })).properties!.m!;
  assert.deepEqual(out['x-kubernetes-validations'], [
    { rule: 'self.all(k, k.size() >= 1 && k.size() <= 20)', message: 'every key must have from 1 to 20 characters' },
    { rule: 'self.all(k, k.matches("^[a-z]+$"))', message: 'every key must be lower-case letters' },
  ]);
});

void test('a key pattern without a message names the pattern', () => {
  assert.deepEqual(mapKeyRules({ type: 'string', pattern: '^a$' }), [{ rule: 'self.all(k, k.matches("^a$"))', message: 'every key must match ^a$' }]);
});

void test('a plain string key adds no rule, and key constraints the CRD cannot carry fail generation', () => {
  assert.deepEqual(mapKeyRules({ type: 'string' }), []);
  assert.throws(() => mapKeyRules({ type: 'string', format: 'email' }), /format/);
  assert.throws(() => structural(z.strictObject({ m: z.record(z.string().max(3), z.string().max(3)) })), /maxProperties/);
});

void test('CEL string literals survive quotes and backslashes', () => {
  assert.equal(celString(`a'b"c\\d`), `"a'b\\"c\\\\d"`);
});

void test('JavaScript whitespace and dot classes are spelt out for RE2', () => {
  assert.equal(re2Pattern('^[a-z]+$'), '^[a-z]+$');
  assert.equal(re2Pattern('^\\/[^\\s]*$'), '^\\/[^\\t\\n\\v\\f\\r \\x{00a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}]*$');
  assert.match(re2Pattern('^\\S+$'), /^\^\[\^\\t/);
  assert.equal(re2Pattern('^a.b\\.c$'), '^a[^\\n\\r\\x{2028}\\x{2029}]b\\.c$');
  assert.equal(re2Pattern('[.]'), '[.]');
  assert.throws(() => re2Pattern('[\\S]'));
  assert.throws(() => re2Pattern('^(a)\\1$'));
});

void test('the spelt-out classes match what JavaScript matches', () => {
  const js = /^\S+$/;
  const spelt = new RegExp(re2Pattern(js.source).replaceAll(/\\x\{([0-9a-f]{4})\}/g, '\\u$1'));
  for (const s of ['a\u00a0b', 'a\u2028b', 'a\ufeffb', 'a\u3000b', 'ab', 'a\u00e9b', 'a\u200bb']) {
    assert.equal(spelt.test(s), js.test(s), JSON.stringify(s));
  }
});

void test('the CRD checks resource names, nodeSelector keys and quantities', () => {
  const runtime = modelDeploymentOpenApiSchema().properties!.spec!.properties!.runtime!;
  const requests = runtime.properties!.resources!.properties!.requests!;
  assert.ok(rulesOf(requests).some((r) => r.startsWith('self.all(k, k.matches(')));
  assert.ok(rulesOf(requests.additionalProperties).includes('type(self) == string || self >= 0'));
  assert.ok(rulesOf(runtime.properties!.nodeSelector).includes('self.all(k, k.size() >= 1 && k.size() <= 253)'));
  assert.equal(modelDeploymentOpenApiSchema().properties!.spec!.properties!.replicas!.maximum, 2147483647);
});
