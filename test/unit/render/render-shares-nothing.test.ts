// A render is a new tree: the operator's caches and the parsed spec are never reachable from what it applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderModelDeployment } from '../../../src/render/index.ts';
import { kitchenSinkManifest } from '../../fixtures/kitchen-sink.ts';
import { objectsIn } from '../../support/objects-in.ts';
import { parsed } from './render-helpers.ts';

void test('a render shares no array or object with the ModelDeployment it renders', () => {
  const md = parsed(kitchenSinkManifest());
  const result = renderModelDeployment(md);
  assert.ok(result.ok);
  const input = objectsIn(md);
  const shared = [...objectsIn(result.objects)].filter((o) => input.has(o));
  assert.deepEqual(shared, []);
});
