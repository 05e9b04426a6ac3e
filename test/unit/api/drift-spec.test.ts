// spec.monitoring.drift and status.drift on the zod side. The shared tables
// (test/fixtures/mistakes/monitoring-drift.ts) run through parseModelDeployment and a real API server;
// this file checks defaults and exact messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { driftSpecSchema, judgesPredictions } from '../../../src/api/drift-spec.ts';
import { driftStatusSchema } from '../../../src/api/drift-status.ts';
import { parseModelDeployment } from '../../../src/api/index.ts';
import type { Json } from '../../fixtures/manifests.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';
import { FULL_DRIFT } from '../../fixtures/mistakes/monitoring-drift.ts';

const LOGGING = { uri: 's3://inference-logs/iris' };

function errorsOf(drift: Json, logging: Json | null = LOGGING): string[] {
  const result = parseModelDeployment(withChanges(validManifest('iris'), { 'spec.monitoring': { ...(logging !== null ? { logging } : {}), drift } }));
  assert.equal(result.ok, false, 'the manifest was accepted');
  return result.ok ? [] : result.errors.map((e) => e.message);
}

void test('a drift spec with only a reference gets the documented defaults', () => {
  const d = driftSpecSchema.parse({ reference: { uri: 's3://data/iris/train.csv' } });
  assert.equal(d.schedule, '0 * * * *');
  assert.equal(d.window, '1h');
  assert.equal(d.alpha, 0.05);
  assert.equal(d.minSamples, 100);
  assert.equal(d.effectSize, undefined);
  assert.deepEqual(driftSpecSchema.parse({ reference: { uri: 's3://d/x.csv' }, effectSize: {} }).effectSize, { measure: 'psi', threshold: 0.02 });
  assert.equal(judgesPredictions(d), false, 'no target: nothing to compare predictions with');
  assert.equal(judgesPredictions(driftSpecSchema.parse({ reference: { uri: 's3://d/x.csv', target: 'species' } })), true);
  assert.equal(judgesPredictions(driftSpecSchema.parse({ reference: { uri: 's3://d/x.csv', target: 'species' }, predictions: false })), false);
});

void test('a drift spec with every field set keeps its values', () => {
  const result = parseModelDeployment(withChanges(validManifest('iris'), { 'spec.monitoring': { logging: LOGGING, drift: FULL_DRIFT } }));
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(JSON.parse(JSON.stringify(result.value.spec.monitoring?.drift)), FULL_DRIFT);
});

void test('the messages name the field and say what to do', () => {
  assert.deepEqual(errorsOf({ reference: { uri: 's3://d/x.csv' } }, null), [
    'spec.monitoring.logging: monitoring.drift needs monitoring.logging: drift checks judge the logged requests, so set monitoring.logging.uri',
  ]);
  assert.deepEqual(errorsOf({ reference: { uri: 's3://d/x.csv', modelFile: 'x.csv' } }), [
    'spec.monitoring.drift.reference: drift.reference needs exactly one of uri (a sample in object storage), modelFile (a file inside the model folder) or logged (a window of logged requests)',
  ]);
  assert.deepEqual(errorsOf({ reference: { modelFile: 'a/../../b.csv' } }), [
    "spec.monitoring.drift.reference.modelFile: drift.reference.modelFile must be a relative path inside the model folder, without a leading / or a '..' segment, e.g. reference/train.csv",
  ]);
  assert.deepEqual(errorsOf({ reference: { uri: 's3://d/x.csv' }, predictions: true }), [
    'spec.monitoring.drift.predictions: drift.predictions needs drift.reference.target (or a logged reference): the predictions are compared with the distribution of that label column (or with the predictions logged in the window)',
  ]);
  assert.deepEqual(errorsOf({ reference: { uri: 's3://d/x.csv' }, window: '200h' }), [
    'spec.monitoring.drift.window: drift.window must be from 1m to 168h: each check reads the logged requests of that span, so a longer one reads more files per check',
  ]);
  assert.deepEqual(errorsOf({ reference: { uri: 's3://d/x.csv' }, features: [{ name: 'a' }, { name: 'a' }] }), ['spec.monitoring.drift.features[1].name: duplicate name "a"']);
});

void test('status.drift parses a full status and an empty one', () => {
  const full = {
    reference: { version: '3', rows: 150, features: 4, profiledAt: '2026-12-04T10:00:00Z', job: 'iris-profile-abcde', profile: 's3://logs/_modelship/profiles/p.json' },
    lastCheck: {
      time: '2026-12-04T11:00:30Z',
      windowStart: '2026-12-04T10:00:00Z',
      windowEnd: '2026-12-04T11:00:00Z',
      version: '3',
      verdict: 'Drift',
      samples: 812,
      job: 'iris-drift-202612041100',
      report: 's3://logs/_modelship/drift/report.json',
    },
    features: [{ name: 'petal_length', test: 'ks', statistic: 0.41, pValue: 1.2e-30, adjustedPValue: 4.8e-30, effectSize: 0.73, verdict: 'Drift' }],
    predictions: { test: 'chi2', statistic: 12.5, pValue: 0.002, effectSize: 0.05, verdict: 'Drift' },
  };
  assert.deepEqual(driftStatusSchema.parse(full), full);
  assert.deepEqual(driftStatusSchema.parse({}), {});
  assert.equal(driftStatusSchema.safeParse({ lastCheck: { verdict: 'Maybe' } }).success, false);
});

void test('a logged reference: predictions judged by default, its window bounded, the sample-file fields refused', () => {
  const logged = { start: '2026-03-01T00:00:00Z', end: '2026-03-08T00:00:00Z' };
  const d = driftSpecSchema.parse({ reference: { logged } });
  assert.deepEqual(d.reference, { logged });
  assert.equal(judgesPredictions(d), true, 'the logged predictions are the reference of the predictions');
  assert.equal(judgesPredictions(driftSpecSchema.parse({ reference: { logged }, predictions: false })), false);
  assert.deepEqual(errorsOf({ reference: { logged: { start: logged.end, end: logged.start } } }), [
    'spec.monitoring.drift.reference.logged.end: drift.reference.logged.end must be after logged.start: the window of logged requests cannot be empty',
  ]);
  assert.deepEqual(errorsOf({ reference: { logged: { start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:01Z' } } }), [
    'spec.monitoring.drift.reference.logged.end: drift.reference.logged must span at most 31 days (744h): the profile Job reads every logged file of the window',
  ]);
  assert.deepEqual(errorsOf({ reference: { logged: { start: '2026-03-01', end: logged.end } } }), [
    'spec.monitoring.drift.reference.logged.start: must be an RFC 3339 time with seconds, e.g. 2026-03-01T00:00:00Z',
  ]);
  assert.deepEqual(errorsOf({ reference: { logged, target: 'species' } }), [
    "spec.monitoring.drift.reference: drift.reference.format, target and exclude describe a sample file, not logged requests: remove them; a logged reference profiles the requests' inputs and the model's predictions",
  ]);
});
