// The drift Jobs as rendered: the contract's arguments, modelship's image, the batch runner's pod
// security, the termination message path, the credentials' precedence, the model pods' placement,
// owner and names within limits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { driftSpecSchema } from '../../../src/api/drift-spec.ts';
import { loggingSpecSchema } from '../../../src/api/logging-spec.ts';
import type { ModelDeployment } from '../../../src/api/model-deployment.ts';
import { parseModelDeployment } from '../../../src/api/parse.ts';
import { checkArgs, driftSecret, loggedProfileUri, profileArgs, referenceUri, renderCheckJob, renderProfileJob } from '../../../src/drift-checks/drift-jobs.ts';
import { DRIFT_TERMINATION_LOG, LABEL_DRIFT_JOB } from '../../../src/drift-checks/labels.ts';
import { checkJobName, MAX_DRIFT_JOB_NAME, profileJobName } from '../../../src/drift-checks/names.ts';
import { parseCheckMessage, parseProfileMessage } from '../../../src/drift-checks/termination.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';
import { byKind, rendered } from '../render/render-helpers.ts';

const parsed = parseModelDeployment(withChanges(validManifest('iris'), { 'spec.model.credentials': { secretRef: { name: 'model-reader' } } }));
assert.ok(parsed.ok);
const md: ModelDeployment = { ...parsed.value, metadata: { ...parsed.value.metadata, namespace: 'team-a', uid: 'uid-1' } };
const logging = loggingSpecSchema.parse({ uri: 's3://logs/team-a/' });
const full = driftSpecSchema.parse({
  reference: { uri: 's3://data/iris/train.parquet', format: 'parquet', target: 'species', exclude: ['id', 'split'] },
  features: [{ name: 'petal_length', input: 'input-0', index: 2, type: 'numeric' }],
  window: '30m',
  alpha: 0.01,
  effectSize: { measure: 'jensenShannon', threshold: 0.1 },
  minSamples: 500,
});
const stable = { version: '7', model: md.spec.model };

void test('profile arguments: every optional flag when set, none when not', () => {
  assert.deepEqual(profileArgs({ reference: 's3://data/iris/train.parquet', drift: full, output: 's3://o/profile.json' }), [
    'profile',
    '--reference', 's3://data/iris/train.parquet',
    '--format', 'parquet',
    '--target', 'species',
    '--exclude', 'id,split',
    '--features', '[{"name":"petal_length","input":"input-0","index":2,"type":"numeric"}]',
    '--output', 's3://o/profile.json',
    '--termination-log', DRIFT_TERMINATION_LOG,
  ]);
  const bare = driftSpecSchema.parse({ reference: { uri: 's3://d/x.csv' } });
  assert.deepEqual(profileArgs({ reference: 's3://d/x.csv', drift: bare, output: 's3://o/p.json' }), ['profile', '--reference', 's3://d/x.csv', '--output', 's3://o/p.json', '--termination-log', DRIFT_TERMINATION_LOG]);
});

void test('check arguments: window end in RFC 3339, predictions only with a target, the effect size as measure:threshold', () => {
  const args = checkArgs({ profile: 's3://p.json', logUri: 's3://logs/team-a', namespace: 'team-a', name: 'iris', version: '7', windowEnd: new Date('2026-12-04T11:00:00.000Z'), drift: full, report: 's3://r.json' });
  assert.deepEqual(args, [
    'drift',
    '--profile', 's3://p.json',
    '--logs', 's3://logs/team-a',
    '--namespace', 'team-a',
    '--model', 'iris',
    '--version', '7',
    '--window-end', '2026-12-04T11:00:00Z',
    '--window', '30m',
    '--features', '[{"name":"petal_length","input":"input-0","index":2,"type":"numeric"}]',
    '--predictions',
    '--alpha', '0.01',
    '--effect-size', 'jensenShannon:0.1',
    '--min-samples', '500',
    '--report', 's3://r.json',
    '--termination-log', DRIFT_TERMINATION_LOG,
  ]);
  const noTarget = driftSpecSchema.parse({ reference: { uri: 's3://d/x.csv' } });
  const bare = checkArgs({ profile: 'p', logUri: 'l', namespace: 'n', name: 'm', version: 'v', windowEnd: new Date(0), drift: noTarget, report: 'r' });
  assert.ok(!bare.includes('--predictions'));
  assert.deepEqual(bare.slice(bare.indexOf('--alpha'), bare.indexOf('--alpha') + 6), ['--alpha', '0.05', '--effect-size', 'psi:0.02', '--min-samples', '100']);
});

void test('modelFile is read inside the stable version model folder; credentials: drift, then logging, then the model (not oci)', () => {
  const byFile = driftSpecSchema.parse({ reference: { modelFile: 'reference/train.csv' } });
  assert.equal(referenceUri(byFile, { ...md.spec.model, uri: 's3://models/iris/7/' }), 's3://models/iris/7/reference/train.csv');
  assert.equal(driftSecret(byFile, logging, md.spec.model), 'model-reader');
  assert.equal(driftSecret(byFile, loggingSpecSchema.parse({ uri: 's3://l', credentials: { secretRef: { name: 'log-writer' } } }), md.spec.model), 'log-writer');
  assert.equal(driftSecret({ ...byFile, credentials: { secretRef: { name: 'drift-reader' } } }, logging, md.spec.model), 'drift-reader');
  assert.equal(driftSecret(byFile, logging, { ...md.spec.model, uri: 'oci://r/m:1' }), undefined, 'an oci:// Secret is an image pull secret');
});

void test('the Jobs: owned, labelled, one container of the given image with the runner pod security and the termination message path', () => {
  const profile = renderProfileJob({ md, drift: full, logging, stable, image: 'registry/modelship:9' }, 'iris-profile-abcde');
  const check = renderCheckJob({ md, drift: full, logging, stable, image: 'registry/modelship:9' }, 'iris-drift-202612041100', new Date('2026-12-04T11:00:00Z'));
  for (const job of [profile, check]) {
    assert.equal(job.metadata.ownerReferences?.[0]?.uid, 'uid-1');
    assert.equal(job.metadata.ownerReferences?.[0]?.controller, true);
    const pod = job.spec!.template.spec!;
    assert.equal(pod.restartPolicy, 'Never');
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    const [c] = pod.containers;
    assert.equal(c!.image, 'registry/modelship:9');
    assert.equal(c!.terminationMessagePath, DRIFT_TERMINATION_LOG);
    assert.equal(c!.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(c!.securityContext?.capabilities?.drop, ['ALL']);
    assert.deepEqual(c!.envFrom, [{ secretRef: { name: 'model-reader' } }]);
    assert.equal(job.spec!.template.metadata!.labels![LABEL_DRIFT_JOB], job.metadata.labels[LABEL_DRIFT_JOB]);
  }
  assert.equal(profile.metadata.labels[LABEL_DRIFT_JOB], 'profile');
  assert.ok(profile.spec!.template.spec!.containers[0]!.args!.includes('s3://logs/team-a/_modelship/profiles/namespace=team-a/model=iris/version=7/profile.json'));
  assert.equal(check.metadata.annotations!['modelship.io/drift-window-start'], '2026-12-04T10:30:00Z');
  assert.ok(check.spec!.template.spec!.containers[0]!.args!.includes('s3://logs/team-a/_modelship/drift/namespace=team-a/model=iris/version=7/iris-drift-202612041100/report.json'));
});

void test("placement: the ModelDeployment's nodeSelector and tolerations as its model pods get them; none when unset", () => {
  const manifest = withChanges(validManifest('iris'), {
    'spec.runtime.nodeSelector': { pool: 'gpu', 'kubernetes.io/arch': 'amd64' },
    'spec.runtime.tolerations': [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }],
  });
  const placed = parseModelDeployment(manifest);
  assert.ok(placed.ok);
  const placedMd: ModelDeployment = { ...placed.value, metadata: { ...placed.value.metadata, namespace: 'team-a', uid: 'uid-2' } };
  const input = { md: placedMd, drift: full, logging, stable, image: 'registry/modelship:9' };
  const modelPodSpec = byKind(rendered(manifest), 'Deployment')!.spec!.template.spec!;
  for (const job of [renderProfileJob(input, 'iris-profile-abcde'), renderCheckJob(input, 'iris-drift-202612041100', new Date('2026-12-04T11:00:00Z'))]) {
    const pod = job.spec!.template.spec!;
    assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/arch': 'amd64', pool: 'gpu' });
    assert.deepEqual(Object.keys(pod.nodeSelector ?? {}), ['kubernetes.io/arch', 'pool'], 'keys sorted: a stable render');
    assert.deepEqual(pod.tolerations, [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }]);
    assert.deepEqual({ nodeSelector: pod.nodeSelector, tolerations: pod.tolerations }, { nodeSelector: modelPodSpec.nodeSelector, tolerations: modelPodSpec.tolerations });
  }
  const bare = renderProfileJob({ md, drift: full, logging, stable, image: 'registry/modelship:9' }, 'iris-profile-abcde').spec!.template.spec!;
  assert.equal('nodeSelector' in bare, false);
  assert.equal('tolerations' in bare, false);
});

void test('a logged reference: the profile Job reads the logged window with the logging credentials; profile and checks share the window profile', () => {
  const loggingWithSecret = loggingSpecSchema.parse({ uri: 's3://logs/team-a/', credentials: { secretRef: { name: 'log-writer' } } });
  const logged = driftSpecSchema.parse({
    reference: { logged: { start: '2026-03-01T01:00:00+01:00', end: '2026-03-08T00:00:00Z', version: '6' } },
    features: [{ name: 'petal_length', input: 'input-0', index: 2 }],
    minSamples: 500,
  });
  const profileAt = 's3://logs/team-a/_modelship/profiles/namespace=team-a/model=iris/logged=20260301T000000Z_20260308T000000Z/version=6/profile.json';
  const profile = renderProfileJob({ md, drift: logged, logging: loggingWithSecret, stable, image: 'registry/modelship:9' }, 'iris-profile-abcde');
  const [c] = profile.spec!.template.spec!.containers;
  assert.deepEqual(c!.args, [
    'profile',
    '--logs', 's3://logs/team-a/',
    '--namespace', 'team-a',
    '--model', 'iris',
    '--version', '6',
    '--window-start', '2026-03-01T01:00:00+01:00',
    '--window-end', '2026-03-08T00:00:00Z',
    '--features', '[{"name":"petal_length","input":"input-0","index":2}]',
    '--min-samples', '500',
    '--output', profileAt,
    '--termination-log', DRIFT_TERMINATION_LOG,
  ]);
  assert.deepEqual(c!.envFrom, [{ secretRef: { name: 'log-writer' } }], 'the logs are read with the credentials the checks use');
  assert.equal(profile.metadata.annotations!['modelship.io/drift-output'], profileAt);
  // Every version's checks read the window's profile; the predictions are judged by default.
  for (const version of ['7', '8']) {
    const check = renderCheckJob({ md, drift: logged, logging: loggingWithSecret, stable: { ...stable, version }, image: 'i' }, 'iris-drift-202612041100', new Date('2026-12-04T11:00:00Z'));
    const args = check.spec!.template.spec!.containers[0]!.args!;
    assert.equal(args[args.indexOf('--profile') + 1], profileAt);
    assert.equal(args[args.indexOf('--version') + 1], version);
    assert.ok(args.includes('--predictions'));
  }
  // No version filter: no --version, and a profile of its own.
  const all = driftSpecSchema.parse({ reference: { logged: { start: '2026-03-01T00:00:00.5Z', end: '2026-03-02T00:00:00Z' } } });
  const allArgs = renderProfileJob({ md, drift: all, logging, stable, image: 'i' }, 'iris-profile-fghij').spec!.template.spec!.containers[0]!.args!;
  assert.ok(!allArgs.includes('--version'));
  assert.ok(!allArgs.includes('--features'));
  assert.equal(allArgs[allArgs.indexOf('--output') + 1], 's3://logs/team-a/_modelship/profiles/namespace=team-a/model=iris/logged=20260301T000000.500Z_20260302T000000Z/profile.json');
  assert.equal(loggedProfileUri('s3://l', 'n', 'm', { start: '2026-03-01T00:00:00Z', end: '2026-03-02T00:00:00Z', version: 'v 2' }), 's3://l/_modelship/profiles/namespace=n/model=m/logged=20260301T000000Z_20260302T000000Z/version=v%202/profile.json');
});

void test('names are deterministic and short enough for the Job label and its pods, also for the longest ModelDeployment names', () => {
  const long = 'a'.repeat(42);
  assert.equal(checkJobName('iris', new Date('2026-12-04T11:00:30Z')), 'iris-drift-202612041100');
  assert.ok(checkJobName(long, new Date()).length <= MAX_DRIFT_JOB_NAME);
  assert.notEqual(checkJobName(`${long.slice(0, 41)}b`, new Date(0)), checkJobName(long, new Date(0)), 'cut names keep a hash of the whole name');
  assert.equal(profileJobName('iris', '7', { a: 1 }), profileJobName('iris', '7', { a: 1 }));
  assert.notEqual(profileJobName('iris', '7', { a: 1 }), profileJobName('iris', '8', { a: 1 }));
  assert.ok(profileJobName(long, '7', {}).length <= MAX_DRIFT_JOB_NAME);
});

void test('termination messages: the contract lines parse; anything else does not', () => {
  assert.deepEqual(parseProfileMessage('{"rows":150,"features":4,"output":"s3://o"}\n'), { rows: 150, features: 4, output: 's3://o' });
  assert.equal(parseProfileMessage('{"rows":-1,"features":4}'), undefined);
  assert.equal(parseProfileMessage('Traceback (most recent call last)'), undefined);
  const check = parseCheckMessage(JSON.stringify({ verdict: 'NoDrift', samples: 3, features: [{ name: 'x', test: 'ks', pValue: 0.5, verdict: 'NoDrift', extra: 1 }, { test: 'ks' }], predictions: null }));
  assert.deepEqual(check, { verdict: 'NoDrift', samples: 3, features: [{ name: 'x', test: 'ks', pValue: 0.5, verdict: 'NoDrift' }] });
  assert.equal(parseCheckMessage('{"verdict":"Maybe","samples":3}'), undefined);
});
