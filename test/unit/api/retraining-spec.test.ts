// spec.monitoring.retraining and status.retraining on the zod side. The shared table
// (test/fixtures/mistakes/monitoring-retraining.ts) runs through parseModelDeployment and a real API
// server; this file checks defaults, messages and the checks only the operator's parse can make
// (airflow.conf: the API server cannot see into a free object).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_AIRFLOW_CONF_BYTES, parseModelDeployment, retrainingStatusSchema } from '../../../src/api/index.ts';
import type { Json } from '../../fixtures/manifests.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';

/** With drift checks set, which a retraining on drift needs. */
const manifest = (retraining: Json) =>
  withChanges(validManifest('iris'), {
    'spec.monitoring': { logging: { uri: 's3://inference-logs/iris' }, drift: { reference: { uri: 's3://data/iris/train.csv', target: 'species' } }, retraining },
  });

function errorsOf(m: unknown): { path: string; message: string }[] {
  const result = parseModelDeployment(m);
  assert.equal(result.ok, false, 'the manifest was accepted');
  return result.ok ? [] : result.errors.map((e) => ({ path: e.field, message: e.message }));
}

void test('a minimal retraining spec gets the documented defaults', () => {
  const result = parseModelDeployment(manifest({ on: { drift: true }, job: { image: 'retrain:1' } }));
  assert.ok(result.ok, JSON.stringify(result));
  const r = result.value.spec.monitoring!.retraining!;
  assert.equal(r.cooldown, '24h');
  assert.equal(r.job?.timeoutSeconds, 86_400);
});

void test('no trigger is refused with a message saying what to set', () => {
  const errors = errorsOf(manifest({ on: {}, job: { image: 'retrain:1' } }));
  assert.ok(errors.some((e) => e.path === 'spec.monitoring.retraining.on' && e.message.includes('at least one trigger')), JSON.stringify(errors));
});

void test('two targets are refused: exactly one of job, airflow, webhook', () => {
  const errors = errorsOf(manifest({ on: { drift: true }, job: { image: 'retrain:1' }, airflow: { dagId: 'd' } }));
  assert.ok(errors.some((e) => e.path === 'spec.monitoring.retraining' && e.message.includes('exactly one target')), JSON.stringify(errors));
});

void test('airflow.conf larger than 8 KiB is refused by the parse', () => {
  const conf = { blob: 'x'.repeat(MAX_AIRFLOW_CONF_BYTES) };
  const errors = errorsOf(manifest({ on: { drift: true }, airflow: { dagId: 'retrain', conf } }));
  assert.ok(errors.some((e) => e.path === 'spec.monitoring.retraining.airflow.conf' && e.message.includes('8192 bytes')), JSON.stringify(errors));
});

void test('airflow.conf just under 8 KiB is accepted, nested values kept as-is', () => {
  const blob = 'x'.repeat(MAX_AIRFLOW_CONF_BYTES - '{"blob":"","n":{"a":[1]}}'.length);
  const result = parseModelDeployment(manifest({ on: { drift: true }, airflow: { dagId: 'retrain', conf: { blob, n: { a: [1] } } } }));
  assert.ok(result.ok, JSON.stringify(result.ok ? '' : result.errors));
  assert.deepEqual(result.value.spec.monitoring!.retraining!.airflow!.conf!.n, { a: [1] });
});

void test('airflow.conf cannot take the key modelship, where the evidence goes', () => {
  const errors = errorsOf(manifest({ on: { drift: true }, airflow: { dagId: 'retrain', conf: { modelship: 1 } } }));
  assert.ok(errors.some((e) => e.path === 'spec.monitoring.retraining.airflow.conf' && e.message.includes('modelship')), JSON.stringify(errors));
});

void test('the cron message names retraining.on.schedule', () => {
  const errors = errorsOf(manifest({ on: { schedule: 'every sunday' }, job: { image: 'retrain:1' } }));
  assert.ok(errors.some((e) => e.message.includes('retraining.on.schedule must be a cron expression')), JSON.stringify(errors));
});

void test('status.retraining parses a Pending trigger and refuses an unknown state', () => {
  const ok = retrainingStatusSchema.safeParse({
    lastTrigger: { id: 'rt-abc', reason: 'Drift', time: '2026-12-04T10:00:00Z', target: 'airflow', state: 'Pending', attempts: 2 },
    nextAllowedTime: '2026-12-05T10:00:00Z',
  });
  assert.ok(ok.success);
  assert.equal(retrainingStatusSchema.safeParse({ lastTrigger: { state: 'Queued' } }).success, false);
});

void test('a misspelt trigger is refused by the parse, so it does not silently never fire', () => {
  const errors = errorsOf(manifest({ on: { drift: true, drfit: true }, job: { image: 'retrain:1' } }));
  assert.ok(errors.some((e) => e.path.startsWith('spec.monitoring.retraining.on') && e.message.includes('drfit')), JSON.stringify(errors));
});
