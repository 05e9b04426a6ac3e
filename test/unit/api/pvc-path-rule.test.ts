import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pvcPathRule } from '../../../src/api/pvc-path-rule.ts';
import { modelSource } from '../../../src/render/model-source.ts';

void test('the pvc:// rule refuses exactly the URIs the renderer cannot mount', () => {
  const uris = [
    'pvc://models/fraud/7',
    'pvc://models',
    'pvc://models/',
    'pvc://models/model..v2.pkl',
    'pvc://models/.hidden/x',
    'pvc://models/...',
    'pvc://models/a..',
    'pvc://models/..',
    'pvc://models/../x',
    'pvc://models/a/./b',
    'pvc://models/a/.',
    'pvc://models//../x',
    's3://bucket/../x',
    'https://host/a/../b',
  ];
  for (const uri of uris) {
    const renders = !('code' in modelSource(uri));
    assert.equal(pvcPathRule.check(uri), renders, uri);
  }
});
