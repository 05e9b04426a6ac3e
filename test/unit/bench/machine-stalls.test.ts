import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuTimes, stallBetween, startStallSampler } from '../../../bench/machine-stalls.ts';

const STAT = (user: number, idle: number, iowait: number, steal: number) =>
  `cpu  ${user} 5 20 ${idle} ${iowait} 1 2 ${steal} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 12345\n`;

test('the aggregate cpu line is read in ms, busy counting user, nice, system, irq and softirq', () => {
  assert.deepEqual(cpuTimes(STAT(100, 1000, 7, 3)), { busy: (100 + 5 + 20 + 1 + 2) * 10, idle: 10_000, iowait: 70, steal: 30 });
  assert.equal(cpuTimes('intr 1\n'), undefined);
});

test('a wake-up later than the threshold is a stall, with the CPU time counted over it', () => {
  const before = cpuTimes(STAT(100, 1000, 7, 3))!;
  const after = cpuTimes(STAT(150, 1010, 7, 600))!;
  const at = new Date('2026-12-05T15:22:50Z');
  assert.equal(stallBetween(999, before, after, 1000, at), undefined);
  assert.deepEqual(stallBetween(6937.4, before, after, 1000, at), { at: '2026-12-05T15:22:50.000Z', gapMs: 6937, busyMs: 500, idleMs: 100, iowaitMs: 0, stealMs: 5970 });
});

test('the sampling thread reports every wake-up above the threshold', async () => {
  // A threshold below any lateness: every sample is reported, so the thread's wiring is what is tested.
  const sampler = startStallSampler(-1_000);
  await new Promise((r) => setTimeout(r, 450));
  const stalls = await sampler.stop();
  assert.ok(stalls.length >= 2, `${stalls.length} samples`);
  for (const s of stalls) assert.ok(Number.isFinite(s.gapMs) && s.busyMs + s.idleMs >= 0 && !Number.isNaN(Date.parse(s.at)));
});
