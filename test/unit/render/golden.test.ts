// Golden files: the rendered children of every example, byte for byte.
// Regenerate after an intended change with `UPDATE_GOLDEN=1 npm run test:unit`, and review the diff.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { toYamlStream } from '../../../src/yaml.ts';
import { loadExamples } from '../../fixtures/examples.ts';
import { kitchenSinkManifest } from '../../fixtures/kitchen-sink.ts';
import { rendered } from './render-helpers.ts';

const GOLDEN_DIR = new URL('./golden/', import.meta.url);
const update = process.env.UPDATE_GOLDEN === '1';

function checkGolden(name: string, manifest: unknown): void {
  const actual = toYamlStream(rendered(manifest));
  const file = new URL(`${name}.yaml`, GOLDEN_DIR);
  if (update) {
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `missing golden file ${name}.yaml: run UPDATE_GOLDEN=1 npm run test:unit`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name}.yaml differs: if intended, run UPDATE_GOLDEN=1 npm run test:unit`);
}

for (const example of loadExamples()) {
  void test(`example ${example.name} renders as its golden file`, () => checkGolden(example.name, example.manifest));
}

void test('kitchen-sink renders as its golden file', () => checkGolden('kitchen-sink', kitchenSinkManifest()));
