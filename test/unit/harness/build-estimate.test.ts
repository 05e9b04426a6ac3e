// The time-left lines a cold build of the test tools prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlanLine, formatDuration, remainingLine, remainingSeconds } from '../../cluster/build-estimate.ts';
import type { ToolModule } from '../../cluster/tool-modules.ts';

const mod = (name: string, coldBuildSeconds: number): ToolModule => ({ name, coldBuildSeconds, ldflags: '', binaries: [] });
const plan = [mod('kubernetes', 364), mod('etcd', 29), mod('kwok', 90)];

test('durations read as a person says them', () => {
  assert.equal(formatDuration(29), '29 s');
  assert.equal(formatDuration(120), '2 min');
  assert.equal(formatDuration(483), '8 min 03 s');
  assert.equal(formatDuration(-5), '0 s');
});

test('the plan names the modules and their measured cold time', () => {
  assert.equal(buildPlanLine(plan), 'building kubernetes, etcd, kwok from their Go modules, once (cached in the modelship cache): about 8 min 03 s on 2 cores when cold');
});

test('time left: the current module less the time spent, plus every module after it', () => {
  assert.equal(remainingSeconds(plan, 0, 0), 483);
  assert.equal(remainingSeconds(plan, 0, 100), 383);
  assert.equal(remainingSeconds(plan, 1, 10), 19 + 90);
  assert.equal(remainingSeconds(plan, 2, 0), 90);
  assert.equal(remainingLine(plan, 0, 100), 'about 6 min 23 s left');
});

test('a module slower than measured says so, and what is left after it', () => {
  assert.equal(remainingLine(plan, 0, 400), 'kubernetes is taking longer than its measured 6 min 04 s (a busy machine?); about 1 min 59 s for the rest after it');
  assert.equal(remainingLine(plan, 2, 100), 'kwok is taking longer than its measured 1 min 30 s (a busy machine?)');
});
