// The Indexed Job of a batch run: same fetcher and server as realtime, the runner's contract, failure policy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ModelDeployment } from '../../../src/api/index.ts';
import { LABEL_BATCH_RUN, LABEL_KUEUE_QUEUE, LABEL_MODEL_VERSION } from '../../../src/batch/labels.ts';
import { RUNNER_CONTAINER, defaultShards, renderRunJob, runnerArgs } from '../../../src/batch/run-job.ts';
import type { RunJobInput } from '../../../src/batch/run-job.ts';
import { MAX_SHARDS } from '../../../src/batch/run-names.ts';
import { defaultRenderConfig } from '../../../src/render/config.ts';
import { LABEL_MODEL_DEPLOYMENT, serviceSelector } from '../../../src/render/labels.ts';
import { FETCHER_CONTAINER } from '../../../src/render/model-source.ts';
import { SERVER_CONTAINER } from '../../../src/render/server-container.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';
import { byKind, parsed, rendered } from '../render/render-helpers.ts';

const changes = {
  'metadata.namespace': 'risk',
  'metadata.uid': 'uid-1',
  'spec.model.credentials': { secretRef: { name: 'models-s3' } },
};
const md = (): ModelDeployment => parsed(withChanges(validManifest(), changes));

const base = (): RunJobInput => ({
  md: md(),
  config: defaultRenderConfig,
  run: 'fraud-202605011000',
  trigger: 'Schedule',
  scheduledTime: new Date('2026-05-01T10:00:00Z'),
  parallelism: 4,
  retriesPerShard: 2,
  batchSize: 64,
  concurrency: 4,
  maxFailedRecords: 10,
  input: { uri: 's3://data/transactions/', format: 'parquet' },
  output: { uri: 's3://scores/fraud/' },
});

function job(input: RunJobInput = base()) {
  const r = renderRunJob(input);
  if (!r.ok) throw new Error(r.error.message);
  return r.job;
}

test('fetcher and server are the realtime ones; the server runs as a native sidecar started once ready', () => {
  const realtime = byKind(rendered(withChanges(validManifest(), changes)), 'Deployment')!.spec!.template.spec!;
  const spec = job().spec!.template.spec!;
  const [fetcher, server] = spec.initContainers!;
  assert.deepEqual(fetcher, realtime.initContainers!.find((c) => c.name === FETCHER_CONTAINER));
  const realServer = realtime.containers.find((c) => c.name === SERVER_CONTAINER)!;
  assert.equal(server!.name, SERVER_CONTAINER);
  assert.equal(server!.restartPolicy, 'Always');
  assert.equal(server!.image, realServer.image);
  assert.deepEqual(server!.args, realServer.args);
  assert.deepEqual(server!.env, realServer.env);
  assert.deepEqual(server!.volumeMounts, realServer.volumeMounts);
  assert.deepEqual(server!.readinessProbe, realServer.readinessProbe);
  assert.deepEqual(server!.startupProbe!.httpGet, realServer.readinessProbe!.httpGet);
  assert.ok(server!.startupProbe!.failureThreshold! * server!.startupProbe!.periodSeconds! >= 600, 'time to load a model');
  assert.deepEqual(spec.volumes, realtime.volumes);
  assert.deepEqual(spec.securityContext, realtime.securityContext);
  assert.equal(spec.restartPolicy, 'Never');
  assert.deepEqual(spec.containers.map((c) => c.name), [RUNNER_CONTAINER]);
});

test('the runner gets the argument contract, the model Secret, and writes under <output>/<run>', () => {
  const runner = job().spec!.template.spec!.containers[0]!;
  assert.deepEqual(runner.env, [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=48' }], 'a small fixed heap keeps RSS under 128 MiB');
  assert.deepEqual(runner.command, ['/nodejs/bin/node', '--max-semi-space-size=4', 'src/main.ts'], "the image's node with the runner's semi-space");
  assert.deepEqual(runner.args, [
    'batch',
    '--input', 's3://data/transactions/',
    '--input-format', 'parquet',
    '--output', 's3://scores/fraud/fraud-202605011000',
    '--run', 'fraud-202605011000',
    '--shards', '8',
    '--batch-size', '64',
    '--concurrency', '4',
    '--max-failed-records', '10',
    '--server', 'http://127.0.0.1:8080',
    '--model', 'fraud-detector',
    '--model-version', '7',
    '--termination-log', '/dev/termination-log',
  ]);
  assert.equal(runner.terminationMessagePath, '/dev/termination-log', 'the runner writes its summary where the kubelet reads it');
  assert.deepEqual(runner.envFrom, [{ secretRef: { name: 'models-s3' } }]);
  assert.equal(runner.securityContext?.allowPrivilegeEscalation, false);
});

test('the Job: indexed, per-index retries, one failed shard fails the run, disruptions ignored', () => {
  const j = job({ ...base(), shards: 3, parallelism: 10, activeDeadlineSeconds: 3600 });
  const s = j.spec!;
  assert.equal(s.completionMode, 'Indexed');
  assert.equal(s.completions, 3);
  assert.equal(s.parallelism, 3);
  assert.equal(s.backoffLimitPerIndex, 2);
  assert.equal(s.maxFailedIndexes, 0);
  assert.equal(s.activeDeadlineSeconds, 3600);
  assert.equal(s.ttlSecondsAfterFinished, undefined);
  assert.equal(s.suspend, undefined);
  const rules = s.podFailurePolicy!.rules;
  assert.deepEqual(rules[0], { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] });
  assert.equal(rules[1]!.action, 'FailIndex');
  assert.equal(rules[1]!.onExitCodes!.containerName, RUNNER_CONTAINER);
  assert.deepEqual([...rules[1]!.onExitCodes!.values].sort((a, b) => a - b), [2, 20]);
});

test('labels, annotations and the controller reference', () => {
  const j = job();
  assert.equal(j.metadata.name, 'fraud-202605011000');
  assert.equal(j.metadata.namespace, 'risk');
  assert.equal(j.metadata.labels[LABEL_MODEL_DEPLOYMENT], 'fraud');
  assert.equal(j.metadata.labels[LABEL_BATCH_RUN], 'fraud-202605011000');
  assert.equal(j.metadata.labels[LABEL_MODEL_VERSION], '7');
  assert.equal(j.metadata.labels[LABEL_KUEUE_QUEUE], undefined);
  assert.deepEqual(j.metadata.ownerReferences, [
    { apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', name: 'fraud', uid: 'uid-1', controller: true, blockOwnerDeletion: true },
  ]);
  assert.equal(j.metadata.annotations!['modelship.io/batch-trigger'], 'Schedule');
  assert.equal(j.metadata.annotations!['modelship.io/model-source'], 's3://models/fraud/7');
  assert.equal(j.metadata.annotations!['modelship.io/scheduled-time'], '2026-05-01T10:00:00.000Z');
  const podLabels = j.spec!.template.metadata!.labels!;
  assert.equal(podLabels[LABEL_BATCH_RUN], 'fraud-202605011000');
  // No model Service ever selects a batch pod.
  const selected = Object.entries(serviceSelector('fraud')).every(([k, v]) => podLabels[k] === v);
  assert.equal(selected, false);
});

test('a queue name labels the Job for Kueue and creates it suspended', () => {
  const j = job({ ...base(), queueName: 'team-a' });
  assert.equal(j.metadata.labels[LABEL_KUEUE_QUEUE], 'team-a');
  assert.equal(j.spec!.suspend, true);
});

test('render errors of the model server are the run errors', () => {
  const m = md();
  const bad: ModelDeployment = { ...m, spec: { ...m.spec, model: { ...m.spec.model, format: 'onnx' } } };
  const r = renderRunJob({ ...base(), md: bad });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.field, 'spec.model.format');
});

test('a batch-mode ModelDeployment renders (the realtime render sees it as realtime)', () => {
  const m = md();
  const r = renderRunJob({ ...base(), md: { ...m, spec: { ...m.spec, mode: 'batch' } } });
  assert.equal(r.ok, true);
});

test('default shards: twice the parallelism, within 1..MAX_SHARDS', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5000 }), (p) => {
      const s = defaultShards(p);
      assert.ok(s >= 1 && s <= MAX_SHARDS);
      assert.equal(s, Math.min(2 * p, MAX_SHARDS));
      assert.equal(job({ ...base(), parallelism: p }).spec!.completions, s);
    }),
    { numRuns: 30 },
  );
});

test('runnerArgs: every flag is followed by its value', () => {
  const args = runnerArgs({
    input: { uri: 'u', format: 'jsonl' }, output: 'o', run: 'r', shards: 1, batchSize: 2, concurrency: 3,
    maxFailedRecords: 0, serverPort: 9000, model: 'm', modelVersion: 'v',
  });
  assert.equal(args[0], 'batch');
  for (let i = 1; i < args.length; i += 2) assert.match(args[i]!, /^--[a-z-]+$/);
  assert.equal(args.length % 2, 1);
});
