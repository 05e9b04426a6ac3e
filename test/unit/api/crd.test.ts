import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { load } from 'js-yaml';
import { generatedFiles, CHART_CRD_PATH, CRD_PATH } from '../../../src/api/crd/generated-files.ts';
import { modelDeploymentCrd } from '../../../src/api/crd/model-deployment-crd.ts';
import type { StructuralSchema } from '../../../src/api/crd/structural-schema.ts';
import { MAX_NAME_LENGTH } from '../../../src/api/index.ts';

const repoRoot = new URL('../../../', import.meta.url);

const ALLOWED_KEYS = new Set([
  'description',
  'type',
  'format',
  'enum',
  'default',
  'nullable',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'properties',
  'required',
  'items',
  'additionalProperties',
  'anyOf',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-validations',
]);

function schema(): StructuralSchema {
  return modelDeploymentCrd().spec.versions[0]!.schema.openAPIV3Schema;
}

/** Visits every schema node below the root with its path. */
function walk(node: StructuralSchema, path: string, visit: (node: StructuralSchema, path: string) => void): void {
  visit(node, path);
  for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${name}`, visit);
  if (node.items) walk(node.items, `${path}[*]`, visit);
  if (node.additionalProperties) walk(node.additionalProperties, `${path}{*}`, visit);
}

void test('generation is deterministic', () => {
  const a = [...generatedFiles()];
  const b = [...generatedFiles()];
  assert.deepEqual(a, b);
});

void test('the committed CRD and its chart copy are current', () => {
  for (const [path, content] of generatedFiles()) {
    assert.equal(readFileSync(new URL(path, repoRoot), 'utf8'), content, `${path} is stale: run npm run generate`);
  }
  const files = generatedFiles();
  assert.equal(files.get(CRD_PATH), files.get(CHART_CRD_PATH));
});

void test('the CRD is small enough for client-side apply', () => {
  // The last-applied annotation holds the whole object as compact JSON (about 60% of this YAML);
  // annotations may total 256 KiB. Half of it leaves room for growth and for other annotations.
  const size = Buffer.byteLength(JSON.stringify(load(generatedFiles().get(CRD_PATH)!)));
  assert.ok(size < 128 * 1024, `CRD is ${size} bytes as compact JSON`);
});

void test('the generated YAML parses back to the CRD object', () => {
  assert.deepEqual(load(generatedFiles().get(CRD_PATH)!), JSON.parse(JSON.stringify(modelDeploymentCrd())));
});

void test('the schema is structural', () => {
  walk(schema(), '', (node, path) => {
    for (const key of Object.keys(node)) assert.ok(ALLOWED_KEYS.has(key), `${path}: unexpected key ${key}`);
    if (node['x-kubernetes-int-or-string']) {
      assert.deepEqual(node.anyOf, [{ type: 'integer' }, { type: 'string' }], path);
      assert.equal(node.type, undefined, path);
      return;
    }
    assert.equal(node.anyOf, undefined, `${path}: anyOf outside int-or-string`);
    assert.ok(node.type !== undefined, `${path}: no type`);
    assert.ok(!(node.properties && node.additionalProperties), `${path}: properties and additionalProperties`);
    if (node.type === 'array') assert.ok(node.items, `${path}: array without items`);
    for (const req of node.required ?? []) assert.ok(node.properties?.[req], `${path}: required ${req} is not a property`);
  });
  const root = schema();
  assert.deepEqual(root.properties?.metadata, { type: 'object' });
});

void test('arrays, maps and strings are bounded, so CEL rules stay within the cost budget', () => {
  for (const top of ['spec', 'status'] as const) {
    walk(schema().properties![top]!, top, (node, path) => {
      if (node.type === 'array') assert.ok(node.maxItems !== undefined, `${path}: no maxItems`);
      if (node.type === 'object' && node.additionalProperties) {
        assert.ok(node.maxProperties !== undefined, `${path}: no maxProperties`);
      }
      // date-time strings are timestamps to CEL, not strings.
      if (node.type === 'string' && node.format !== 'date-time') {
        assert.ok(node.maxLength !== undefined, `${path}: no maxLength`);
      }
    });
  }
});

void test('integers carry int32 or int64 formats', () => {
  walk(schema(), '', (node, path) => {
    if (node.type === 'integer') assert.ok(node.format === 'int32' || node.format === 'int64', `${path}: no format`);
  });
  const status = schema().properties!.status!;
  assert.equal(status.properties!.observedGeneration!.format, 'int64');
});

void test('CEL rules cover what the schema alone cannot say', () => {
  const rules: string[] = [];
  walk(schema(), '', (node) => {
    for (const v of node['x-kubernetes-validations'] ?? []) rules.push((v as { rule: string }).rule);
  });
  const expected = [
    'self.maxReplicas >= self.minReplicas',
    "self.preset != 'custom' || has(self.image)",
    "self.mode != 'batch' || has(self.batch)",
    "self.model.format in {'mlserver': ['sklearn'",
    `self.metadata.name.size() <= ${MAX_NAME_LENGTH}`,
  ];
  for (const fragment of expected) {
    assert.ok(rules.some((r) => r.includes(fragment)), `no rule contains ${fragment}`);
  }
});

void test('the CRD has the status subresource, printer columns, short name and categories', () => {
  const crd = modelDeploymentCrd();
  const version = crd.spec.versions[0]!;
  assert.equal(crd.metadata.name, 'modeldeployments.modelship.io');
  assert.equal(crd.spec.scope, 'Namespaced');
  assert.deepEqual(crd.spec.names.shortNames, ['mdep']);
  assert.ok(crd.spec.names.categories.includes('modelship'));
  assert.deepEqual(version.subresources, { status: {} });
  assert.deepEqual(
    version.additionalPrinterColumns.filter((c) => c.priority === undefined).map((c) => c.name),
    ['Model', 'Version', 'Ready', 'Traffic', 'Age'],
  );
  const ready = version.additionalPrinterColumns.find((c) => c.name === 'Ready');
  assert.equal(ready?.jsonPath, '.status.conditions[?(@.type=="Ready")].status');
});

void test('defaults are in the schema, so the API server fills them in', () => {
  const spec = schema().properties!.spec!;
  assert.equal(spec.properties!.mode!.default, 'realtime');
  assert.equal(spec.properties!.replicas!.default, 1);
  assert.equal(spec.properties!.autoscaling!.properties!.minReplicas!.default, 1);
  assert.deepEqual(spec.required, ['model', 'runtime']);
});
