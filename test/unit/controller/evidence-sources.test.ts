// Where evidence comes from: the validation Job's result from the informer cache, by the Job's name;
// a missed deadline and a missing Prometheus become evidence (Failed smoke check, Error measurement,
// Refused measurement when the platform names no Prometheus to ask).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import type { V1Job } from '@kubernetes/client-node';
import type { Caches } from '../../../src/controller/caches.ts';
import { childCacheKey } from '../../../src/controller/caches.ts';
import { evidenceSources } from '../../../src/controller/evidence-sources.ts';
import type { ApiClient } from '../../../src/kube/api-client.ts';
import type { EvidenceRequest } from '../../../src/rollout/index.ts';
import { spec } from '../rollout/builders.ts';
import { noAnalysisSources } from '../../../src/analysis/prometheus-sources.ts';

const MEASURE: EvidenceRequest = { kind: 'measurement', revision: 2, stableRevision: 1, windowStartedAt: '2025-06-01T12:00:00Z', intervalMs: 60_000, pValue: 0.7 };

function sourcesWith(jobs: Record<string, V1Job>) {
  const jobCache = { get: (namespace: string, name: string) => jobs[`${namespace}/${name}`] };
  const caches = { children: new Map([[childCacheKey('batch/v1', 'Job'), jobCache]]) } as unknown as Caches;
  const client = {} as ApiClient; // no request is expected: a test that sends one fails
  return evidenceSources({ client, caches, now: () => new Date('2025-06-01T12:01:00Z'), allowCidrs: [], log: pino({ level: 'silent' }), analysisSources: noAnalysisSources('modelship-system') });
}

const subject = (options: Parameters<typeof spec>[0] = {}) => ({ key: 'ml/fraud', namespace: 'ml', name: 'fraud', spec: spec(options) });

void test('the Job result is read from the cache, by the validation Job of the revision asked about', () => {
  const complete: V1Job = { metadata: { name: 'fraud-validate-2' }, status: { conditions: [{ type: 'Complete', status: 'True' }] } };
  const sources = sourcesWith({ 'ml/fraud-validate-2': complete });
  const request: EvidenceRequest = { kind: 'job-result', revision: 2 };
  assert.equal(sources.inCache(request), true);
  assert.equal(sources.inCache({ kind: 'smoke-check', revision: 2 }), false);
  assert.equal(sources.inCache(MEASURE), false);
  const read = sources.readCache(subject(), request);
  assert.equal(read.validation?.phase, 'Passed');
  assert.equal(read.validation?.job, 'fraud-validate-2');
  assert.equal(read.validation?.revision, 2);
  assert.deepEqual(sources.readCache(subject(), { kind: 'job-result', revision: 3 }), {}, 'no Job for revision 3 in the cache yet');
});

void test('a missed deadline: the smoke check failed, the measurement is an Error with the p-value so far', () => {
  const sources = sourcesWith({});
  const smoke = sources.timedOut({ kind: 'smoke-check', revision: 2 }, 30_000);
  assert.deepEqual(smoke, { validation: { revision: 2, method: 'smoke', phase: 'Failed', message: 'smoke check: no result within 30 s' } });
  const run = sources.timedOut(MEASURE, 30_000).analysisRun;
  assert.equal(run?.verdict, 'Error');
  assert.equal(run?.pValue, 0.7);
  assert.equal(run?.revision, 2);
});

void test('no Prometheus to ask: a Refused measurement (UnknownAnalysisSource), not an exception, and no request', async () => {
  const sources = sourcesWith({});
  const evidence = await sources.fetch(subject({ analysis: { interval: '1m' } }), MEASURE, new AbortController().signal);
  assert.equal(evidence?.analysisRun?.verdict, 'Refused');
  assert.equal(evidence?.analysisRun?.refusal, 'UnknownAnalysisSource');
  assert.match(evidence?.analysisRun?.message ?? '', /no Prometheus to ask: .*no analysis sources/);
});
