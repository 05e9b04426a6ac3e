// What bench/cpuprofile-top.ts reads out of a V8 CPU profile: self time per function, and the time of
// a function with everything it called.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inclusiveTimes, selfTimes } from '../../../bench/cpuprofile-top.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

// (root) -> reconcile (src) -> apply -> apply (recursion) ; (root) -> (idle)
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 5] },
    { id: 2, callFrame: frame('reconcile', 'file:///repo/src/controller/reconcile.ts', 29), children: [3] },
    { id: 3, callFrame: frame('apply', 'file:///repo/src/controller/phases/apply.ts', 29), children: [4] },
    { id: 4, callFrame: frame('apply', 'file:///repo/src/controller/phases/apply.ts', 29) },
    { id: 5, callFrame: frame('(idle)') },
  ],
  // A sample's time is the delta to the next one.
  samples: [2, 3, 4, 5, 2],
  timeDeltas: [0, 10, 20, 40, 80],
};

void test('self time per function and per origin; a sample counts the time to the next one', () => {
  const { byFunction, byOrigin } = selfTimes(profile, '/repo');
  assert.equal(byFunction.get('reconcile src/controller/reconcile.ts:30'), 10);
  assert.equal(byFunction.get('apply src/controller/phases/apply.ts:30'), 60);
  assert.equal(byOrigin.get('modelship (src/)'), 70);
  assert.equal(byOrigin.get('(idle)'), 80);
});

void test('inclusive time: each sample once per named function on its stack, recursion not counted twice, idle left out', () => {
  const times = inclusiveTimes(profile, ['reconcile', 'apply@phases/apply.ts', 'apply@elsewhere.ts', 'missing']);
  assert.equal(times.get('reconcile'), 70);
  assert.equal(times.get('apply@phases/apply.ts'), 60);
  assert.equal(times.get('apply@elsewhere.ts'), 0);
  assert.equal(times.get('missing'), 0);
});
