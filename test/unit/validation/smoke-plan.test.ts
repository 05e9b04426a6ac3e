// The requests of one smoke check: every sample to every pod while that fits in MAX_SMOKE_REQUESTS;
// beyond, as many samples per pod as fit, rotated over the pods, and never more than the cap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SMOKE_REQUESTS, MAX_SMOKE_SAMPLES, planSmokeRequests, summarizeSmokeCheck } from '../../../src/validation/index.ts';

const pairs = (plan: ReturnType<typeof planSmokeRequests>) => plan.requests.map((r) => `${r.target}:${r.sample}`);

test('every sample to every pod when that is at most the cap, in pod then sample order', () => {
  const plan = planSmokeRequests(2, 3);
  assert.deepEqual(pairs(plan), ['0:0', '0:1', '0:2', '1:0', '1:1', '1:2']);
  assert.equal(plan.note, undefined);
  assert.equal(planSmokeRequests(4, 25).requests.length, 100);
  assert.equal(planSmokeRequests(4, 25).note, undefined);
  assert.deepEqual(planSmokeRequests(0, 3).requests, []);
  assert.deepEqual(planSmokeRequests(2, 0).requests, []);
});

test('more than the cap: each pod gets as many samples as fit, rotated so the pods cover the samples', () => {
  const plan = planSmokeRequests(3, 5, 6);
  assert.deepEqual(pairs(plan), ['0:0', '0:1', '1:2', '1:3', '2:0', '2:4']);
  assert.equal(plan.note, 'at most 6 requests per smoke check: 2 of 5 samples per pod');
  const big = planSmokeRequests(30, MAX_SMOKE_SAMPLES);
  assert.equal(big.requests.length, 90, '3 samples to each of 30 pods');
  assert.equal(new Set(big.requests.map((r) => r.target)).size, 30, 'every pod checked');
  assert.equal(new Set(big.requests.map((r) => r.sample)).size, 90, 'no sample sent twice while others were not sent');
});

test('never more than MAX_SMOKE_REQUESTS, whatever the pods and samples; past the cap in pods, one sample each', () => {
  for (const targets of [1, 2, 7, 33, 99, 100, 101, 250, 1000]) {
    for (const samples of [1, 2, 3, 50, MAX_SMOKE_SAMPLES]) {
      const plan = planSmokeRequests(targets, samples);
      assert.ok(plan.requests.length <= MAX_SMOKE_REQUESTS, `${targets} pods x ${samples} samples: ${plan.requests.length}`);
      assert.ok(plan.requests.length >= Math.min(targets * samples, MAX_SMOKE_REQUESTS) - targets, `${targets} x ${samples} uses the budget`);
      assert.equal(new Set(pairs(plan)).size, plan.requests.length, 'no request twice');
    }
  }
  const many = planSmokeRequests(250, 3);
  assert.equal(many.requests.length, 100);
  assert.equal(many.note, 'at most 100 requests per smoke check: 100 of 250 pods checked, one sample each');
});

test('the summary ends with what the plan left out', () => {
  const passed = summarizeSmokeCheck([{ pod: 'a', sample: 0, verdict: { ok: true }, latencyMs: 5 }], 'at most 100 requests per smoke check: 1 of 3 samples per pod');
  assert.equal(passed.message, '1 request to 1 pod passed; slowest 5 ms (at most 100 requests per smoke check: 1 of 3 samples per pod)');
  const failed = summarizeSmokeCheck([{ pod: 'a', sample: 2, verdict: { ok: false, reason: 'HTTP 500' }, latencyMs: undefined }], 'note');
  assert.equal(failed.message, '1 of 1 request to 1 pod failed; first: pod a sample 2: HTTP 500 (note)');
});
