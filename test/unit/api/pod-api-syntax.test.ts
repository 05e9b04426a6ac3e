import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHugepagesAmount } from '../../../src/api/hugepages-rule.ts';
import { isLabelKey, isLabelValue } from '../../../src/api/label-syntax.ts';
import { allowsOvercommit, isContainerResourceName, isExtendedResource } from '../../../src/api/resource-names.ts';

void test('container resource names, as the Pod API classes them', () => {
  for (const n of ['cpu', 'memory', 'ephemeral-storage', 'hugepages-2Mi', 'nvidia.com/gpu', 'example.kubernetes.io/x']) {
    assert.equal(isContainerResourceName(n), true, n);
  }
  for (const n of ['gpu', 'pods', 'storage', 'requests.example.com/fpga', `example.com/${'g'.repeat(64)}`, `${'a'.repeat(245)}/x`]) {
    assert.equal(isContainerResourceName(n), false, n);
  }
  assert.equal(isContainerResourceName(`${'a'.repeat(244)}/x`), true, 'a domain of 244 leaves room for requests.');
});

void test('only native resources other than hugepages may be overcommitted', () => {
  assert.deepEqual(
    ['cpu', 'memory', 'hugepages-1Gi', 'nvidia.com/gpu', 'example.kubernetes.io/x'].map(allowsOvercommit),
    [true, true, false, false, true],
  );
  assert.deepEqual(['cpu', 'hugepages-1Gi', 'nvidia.com/gpu', 'example.kubernetes.io/x'].map(isExtendedResource), [false, false, true, false]);
});

void test('label keys and values', () => {
  for (const k of ['gpu', 'cloud.google.com/gke-accelerator', 'node.example.com/GPU_Model', `${'a'.repeat(253)}/b`]) {
    assert.equal(isLabelKey(k), true, k);
  }
  for (const k of ['', 'gpu type', 'Example.com/gpu', 'a/b/c', '-gpu', `x/${'g'.repeat(64)}`, `${'a'.repeat(254)}/b`]) {
    assert.equal(isLabelKey(k), false, k);
  }
  for (const v of ['', 'a', 'A100_80GB', 'a.b-c']) assert.equal(isLabelValue(v), true, v);
  for (const v of ['a b', '-a', 'a-', 'a/b', 'a'.repeat(64)]) assert.equal(isLabelValue(v), false, v);
});

void test('hugepages come in whole pages of a size the name gives', () => {
  for (const [n, q] of [['hugepages-2Mi', '4Mi'], ['hugepages-2048Ki', '6Mi'], ['hugepages-1Gi', '2Gi'], ['hugepages-2Mi', 0]] as const) {
    assert.equal(isHugepagesAmount(n, q), true, `${n}: ${q}`);
  }
  for (const [n, q] of [['hugepages-2Mi', '3Mi'], ['hugepages-huge', '4Mi'], ['hugepages-0', '4Mi'], ['hugepages-2Mi', '4.5Mi']] as const) {
    assert.equal(isHugepagesAmount(n, q), false, `${n}: ${q}`);
  }
});
