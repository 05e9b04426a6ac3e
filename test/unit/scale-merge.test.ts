import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keptLevels } from '../../bench/scale-merge.ts';

const previous = {
  at: '2026-12-04T22:10:33.735Z',
  command: 'node bench/scale.ts --qps=200',
  versions: { commit: '7905a40' },
  settings: { client: { qps: 200, burst: 400, concurrency: 8 }, componentQps: 200 },
  levels: [{ modelDeployments: 1000 }, { modelDeployments: 3000 }],
  runs: [{ count: 1000 }, { count: 3000, measured: { at: 'earlier', commit: 'abc', command: 'x' } }],
};

describe('keptLevels', () => {
  it('keeps the counts not measured now, each with when and where it ran', () => {
    const kept = keptLevels(previous, { counts: [3000, 10000], client: { qps: 200, burst: 400, concurrency: 8 }, componentQps: 200 });
    assert.deepEqual(kept.levels, [{ modelDeployments: 1000 }]);
    assert.deepEqual(kept.runs, [{ count: 1000, measured: { at: '2026-12-04T22:10:33.735Z', commit: '7905a40', command: 'node bench/scale.ts --qps=200' } }]);
  });

  it('keeps a run its own measured record', () => {
    const kept = keptLevels(previous, { counts: [1000], client: { qps: 200, burst: 400, concurrency: 8 }, componentQps: 200 });
    assert.equal(kept.runs[0]?.measured?.commit, 'abc');
  });

  it('refuses levels measured with other client or component settings', () => {
    assert.throws(() => keptLevels(previous, { counts: [10000], client: { qps: 50, burst: 100, concurrency: 4 }, componentQps: 200 }), /run every count again/);
    assert.throws(() => keptLevels(previous, { counts: [10000], client: { qps: 200, burst: 400, concurrency: 8 }, componentQps: 50 }), /component QPS 200/);
  });
});
