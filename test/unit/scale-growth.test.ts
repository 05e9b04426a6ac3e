import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scaleGrowth, type ScaleLevel } from '../../bench/scale-growth.ts';

const level = (n: number, perMdSeconds: number, perMdKiB: number): ScaleLevel => ({
  modelDeployments: n,
  childrenExistSeconds: n * perMdSeconds,
  readySeconds: n * perMdSeconds * 2,
  floorChildrenExistSeconds: n * perMdSeconds * 0.9,
  operatorCpuSeconds: n * 0.04,
  freshRssMiB: 90 + (n * perMdKiB) / 1024,
  cachedObjects: n * 9,
});

test('a cost that grows linearly gives marginal ratios of 1, whatever order the levels come in', () => {
  const g = scaleGrowth([level(10_000, 0.12, 64), level(1000, 0.12, 64), level(3000, 0.12, 64)]);
  assert.deepEqual(g.perLevel.map((l) => l.modelDeployments), [1000, 3000, 10_000]);
  assert.deepEqual(g.steps.map((s) => [s.from, s.to]), [[1000, 3000], [3000, 10_000]]);
  for (const s of g.steps) {
    assert.equal(s.rssKiBPerModelDeployment, 64);
    assert.equal(s.childrenMsPerModelDeployment, 120);
    assert.equal(s.cpuMsPerModelDeployment, 40);
    assert.equal(s.rssBytesPerCachedObject, Math.round((64 * 1024) / 9));
  }
  assert.deepEqual(g.marginalRatio, { rss: 1, childrenTime: 1, cpu: 1 });
  assert.equal(g.perLevel[0]?.operatorToFloor, 1.11);
});

test('memory that grows faster than the count shows as a marginal ratio above 1', () => {
  const levels = [level(1000, 0.1, 50), level(3000, 0.1, 50), { ...level(10_000, 0.1, 50), freshRssMiB: 90 + (10_000 * 100) / 1024 }];
  const g = scaleGrowth(levels);
  assert.ok((g.marginalRatio?.rss ?? 0) > 2, `rss ratio ${g.marginalRatio?.rss}`);
  assert.equal(g.marginalRatio?.childrenTime, 1);
});

test('one level has no steps and no ratio', () => {
  const g = scaleGrowth([level(1000, 0.1, 50)]);
  assert.deepEqual(g.steps, []);
  assert.equal(g.marginalRatio, undefined);
});
