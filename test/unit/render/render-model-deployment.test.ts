import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Container } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderModelDeployment, defaultRenderConfig, DEFAULT_FETCHER_IMAGE, LABEL_MODEL_DEPLOYMENT, LABEL_VARIANT } from '../../../src/render/index.ts';
import type { ChildObject, DeploymentObject } from '../../../src/render/index.ts';
import { toYamlStream } from '../../../src/yaml.ts';
import { kitchenSinkManifest } from '../../fixtures/kitchen-sink.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';
import type { Json } from '../../fixtures/manifests.ts';
import { byKind, parsed, rendered } from './render-helpers.ts';

function manifest(changes: Record<string, Json | undefined> = {}) {
  return withChanges(validManifest(), changes);
}

function deploymentOf(objects: ChildObject[]): DeploymentObject {
  const d = byKind(objects, 'Deployment');
  assert.ok(d, 'no Deployment');
  return d;
}

function containers(d: DeploymentObject): V1Container[] {
  const spec = d.spec!.template.spec!;
  return [...(spec.initContainers ?? []), ...spec.containers];
}

void test('children: Deployment <name>-stable, Service <name>, PDB with two replicas', () => {
  const objects = rendered(manifest());
  assert.deepEqual(
    objects.map((o) => `${o.kind}/${o.metadata.name}`),
    ['Deployment/fraud-stable', 'Service/fraud', 'PodDisruptionBudget/fraud-stable'],
  );
  assert.equal(deploymentOf(objects).spec!.replicas, 2);
});

void test('one replica: no PodDisruptionBudget', () => {
  const objects = rendered(manifest({ 'spec.replicas': 1 }));
  assert.equal(byKind(objects, 'PodDisruptionBudget'), undefined);
});

void test('autoscaling: an HPA owns the replica count, which the Deployment leaves out', () => {
  const objects = rendered(manifest({ 'spec.autoscaling': { minReplicas: 1, maxReplicas: 4, targetCPUUtilization: 60 } }));
  const hpa = byKind(objects, 'HorizontalPodAutoscaler');
  assert.ok(hpa);
  assert.equal(deploymentOf(objects).spec!.replicas, undefined);
  assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'fraud-stable' });
  assert.equal(hpa.spec.minReplicas, 1);
  assert.equal(hpa.spec.maxReplicas, 4);
  assert.equal(hpa.spec.metrics![0]!.resource!.target.averageUtilization, 60);
  assert.ok(byKind(objects, 'PodDisruptionBudget'), 'the HPA may scale above one pod');
});

void test('autoscaling without a target scales on 80% CPU, explicitly', () => {
  const objects = rendered(manifest({ 'spec.autoscaling': { maxReplicas: 3 } }));
  const hpa = byKind(objects, 'HorizontalPodAutoscaler');
  assert.deepEqual(hpa?.spec?.metrics, [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
  ]);
});

void test('the Deployment selector is the variant selector and the Service selects every serving pod', () => {
  const objects = rendered(manifest());
  const d = deploymentOf(objects);
  assert.deepEqual(d.spec!.selector.matchLabels, { [LABEL_MODEL_DEPLOYMENT]: 'fraud', [LABEL_VARIANT]: 'stable' });
  for (const [k, v] of Object.entries(d.spec!.selector.matchLabels)) assert.equal(d.spec!.template.metadata!.labels![k], v);
  const svc = byKind(objects, 'Service')!;
  for (const [k, v] of Object.entries(svc.spec!.selector!)) assert.equal(d.spec!.template.metadata!.labels![k], v);
});

void test('every container meets the restricted Pod Security Standard', () => {
  for (const m of [manifest(), kitchenSinkManifest()]) {
    const d = deploymentOf(rendered(m));
    const pod = d.spec!.template.spec!;
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault');
    for (const c of containers(d)) {
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false, c.name);
      assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], c.name);
      assert.equal(c.securityContext?.runAsNonRoot, true, c.name);
      assert.equal(c.securityContext?.seccompProfile?.type, 'RuntimeDefault', c.name);
    }
  }
});

void test('s3 models are fetched by the configured fetcher (`<uri> <dest>`) with the credentials as env, into /mnt/models', () => {
  const config = { ...defaultRenderConfig, fetcherImage: 'registry.internal/fetcher:1.0' };
  const d = deploymentOf(
    rendered(manifest({ 'spec.model.credentials': { secretRef: { name: 's3-creds' } } }), config),
  );
  const [fetcher] = d.spec!.template.spec!.initContainers!;
  assert.equal(fetcher?.image, 'registry.internal/fetcher:1.0');
  assert.deepEqual(fetcher?.args, ['s3://models/fraud/7', '/mnt/models']);
  assert.deepEqual(fetcher?.envFrom, [{ secretRef: { name: 's3-creds' } }]);
  const server = d.spec!.template.spec!.containers[0]!;
  assert.equal(server.env?.some((e) => e.valueFrom !== undefined), false, 'the server never gets the fetch credentials');
  assert.deepEqual(d.spec!.template.spec!.volumes![0], { name: 'model', emptyDir: {} });
});

void test("by default models are fetched by modelship's own image (`fetch <uri> <dest>`), gs:// by KServe's storage-initializer", () => {
  const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  assert.equal(DEFAULT_FETCHER_IMAGE, `ghcr.io/modelship/modelship:${pkg.version}`, "the operator's own release, as the chart's default image");
  const fetcherOf = (uri: string) => deploymentOf(rendered(manifest({ 'spec.model.uri': uri }))).spec!.template.spec!.initContainers![0]!;
  for (const uri of ['s3://models/fraud/7', 'https://models.example/fraud.tar.gz']) {
    assert.equal(fetcherOf(uri).image, DEFAULT_FETCHER_IMAGE);
    assert.deepEqual(fetcherOf(uri).args, ['fetch', '--termination-log', '/dev/termination-log', uri, '/mnt/models']);
    // Its last line reaches the container's terminated state (the file, or the log's tail for another image).
    assert.equal(fetcherOf(uri).terminationMessagePath, '/dev/termination-log');
    assert.equal(fetcherOf(uri).terminationMessagePolicy, 'FallbackToLogsOnError');
  }
  assert.equal(fetcherOf('gs://models/fraud/7').image, 'docker.io/kserve/storage-initializer:v0.15.2');
  assert.deepEqual(fetcherOf('gs://models/fraud/7').args, ['gs://models/fraud/7', '/mnt/models']);
});

void test('spec.model.sha256 reaches modelship\'s fetcher as --sha256; another fetcher image cannot check it, so it does not render', () => {
  const sha = 'ab'.repeat(32);
  const d = deploymentOf(rendered(manifest({ 'spec.model.sha256': sha })));
  assert.deepEqual(d.spec!.template.spec!.initContainers![0]!.args, ['fetch', '--termination-log', '/dev/termination-log', '--sha256', sha, 's3://models/fraud/7', '/mnt/models']);
  const md = parsed(manifest({ 'spec.model.sha256': sha }));
  const result = renderModelDeployment(md, { ...defaultRenderConfig, fetcherImage: 'registry.internal/fetcher:1.0' });
  assert.equal(result.ok, false);
  if (!result.ok) {
    assert.equal(result.error.code, 'UncheckableChecksum');
    assert.equal(result.error.field, 'spec.model.sha256');
  }
});

void test('pvc:// mounts the claim read-only at the path, with no init container', () => {
  const d = deploymentOf(rendered(manifest({ 'spec.model.uri': 'pvc://shared-models/fraud/7/' })));
  const pod = d.spec!.template.spec!;
  assert.equal(pod.initContainers, undefined);
  assert.deepEqual(pod.volumes![0], { name: 'model', persistentVolumeClaim: { claimName: 'shared-models', readOnly: true } });
  assert.deepEqual(pod.containers[0]!.volumeMounts![0], {
    name: 'model',
    mountPath: '/mnt/models',
    readOnly: true,
    subPath: 'fraud/7',
  });
});

void test('a pvc:// path with .. (refused by the API, but stored before it was) is a typed error, not a throw', () => {
  const md = parsed(manifest());
  const slipped = { ...md, spec: { ...md.spec, model: { ...md.spec.model, uri: 'pvc://models/../secrets' } } };
  const result = renderModelDeployment(slipped);
  assert.equal(result.ok, false);
  if (!result.ok) assert.equal(result.error.code, 'InvalidModelUri');
});

void test('a format the preset cannot serve is a typed error naming spec.model.format', () => {
  const md = parsed(manifest());
  const slipped = { ...md, spec: { ...md.spec, runtime: { ...md.spec.runtime, preset: 'torchserve' as const } } };
  const result = renderModelDeployment(slipped);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.error.code, 'UnsupportedFormat');
  assert.equal(result.error.field, 'spec.model.format');
  assert.match(result.error.message, /^spec\.model\.format: model format sklearn cannot be served by runtime preset torchserve/);
});

void test('names too long for children are typed errors, and so is batch mode without spec.batch', () => {
  const md = parsed(manifest());
  const long = renderModelDeployment({ ...md, metadata: { ...md.metadata, name: 'x'.repeat(60) } });
  assert.equal(long.ok ? undefined : long.error.code, 'InvalidName');
  const batch = renderModelDeployment({ ...md, spec: { ...md.spec, mode: 'batch' } });
  assert.equal(batch.ok ? undefined : batch.error.code, 'InvalidSpec');
});

void test('batch mode owns no serving objects: at most the ConfigMap its run pods mount', () => {
  const md = parsed(manifest());
  const batchSpec = { input: { uri: 's3://data/in/', format: 'jsonl' as const }, output: { uri: 's3://data/out/', format: 'jsonl' as const }, suspend: false, parallelism: 1, batchSize: 64, concurrency: 4, maxFailedRecords: 0, concurrencyPolicy: 'Forbid' as const, keepRuns: 10 };
  const batch = renderModelDeployment({ ...md, spec: { ...md.spec, mode: 'batch', batch: batchSpec } });
  assert.ok(batch.ok);
  const realtime = renderModelDeployment(md);
  assert.ok(realtime.ok);
  const realtimeConfigMaps = realtime.objects.filter((o) => o.kind === 'ConfigMap');
  assert.deepEqual(batch.objects, realtimeConfigMaps);
  assert.ok(batch.objects.every((o) => o.kind === 'ConfigMap'));
});

void test('a port override that clashes with a preset default is a typed error', () => {
  const result = renderModelDeployment(parsed(manifest({ 'spec.runtime.ports': { http: 8081 } })));
  assert.equal(result.ok ? undefined : result.error.code, 'PortConflict');
});

void test('port overrides reach the server arguments and the probes follow by port name', () => {
  const objects = rendered(
    manifest({ 'spec.runtime.preset': 'triton', 'spec.model.format': 'onnx', 'spec.runtime.ports': { http: 9000 } }),
  );
  const server = deploymentOf(objects).spec!.template.spec!.containers[0]!;
  assert.ok(server.args?.includes('--http-port=9000'));
  assert.deepEqual(server.ports?.find((p) => p.name === 'http')?.containerPort, 9000);
  assert.equal(server.readinessProbe?.httpGet?.port, 'http');
});

void test('user args are appended to the preset args; a user command replaces both', () => {
  const tf = { 'spec.runtime.preset': 'tensorflow-serving', 'spec.model.format': 'tensorflow' };
  const appended = deploymentOf(rendered(manifest({ ...tf, 'spec.runtime.args': ['--enable_batching'] })));
  const args = appended.spec!.template.spec!.containers[0]!.args!;
  assert.equal(args.at(-1), '--enable_batching');
  assert.ok(args.includes('--model_name=fraud-detector'));
  const replaced = deploymentOf(
    rendered(manifest({ ...tf, 'spec.runtime.command': ['/bin/serve'], 'spec.runtime.args': ['--x'] })),
  );
  const server = replaced.spec!.template.spec!.containers[0]!;
  assert.deepEqual([server.command, server.args], [['/bin/serve'], ['--x']]);
});

void test('user env wins over preset env of the same name', () => {
  const d = deploymentOf(rendered(manifest({ 'spec.runtime.env': [{ name: 'MLSERVER_MODEL_NAME', value: 'override' }] })));
  const env = d.spec!.template.spec!.containers[0]!.env!;
  assert.deepEqual(env.filter((e) => e.name === 'MLSERVER_MODEL_NAME'), [{ name: 'MLSERVER_MODEL_NAME', value: 'override' }]);
});

void test('preset images are pinned and configurable; a runtime image overrides them', () => {
  const config = { ...defaultRenderConfig, presetImages: { ...defaultRenderConfig.presetImages, mlserver: 'mirror/mlserver:1' } };
  assert.equal(deploymentOf(rendered(manifest(), config)).spec!.template.spec!.containers[0]!.image, 'mirror/mlserver:1');
  const own = deploymentOf(rendered(manifest({ 'spec.runtime.image': 'mine/mlserver:2' })));
  assert.equal(own.spec!.template.spec!.containers[0]!.image, 'mine/mlserver:2');
  for (const image of Object.values(defaultRenderConfig.presetImages)) {
    assert.match(image, /:[\w.-]+$/, `${image} has no pinned tag`);
    assert.doesNotMatch(image, /:latest$/);
  }
});

void test('namespace is copied onto every child; ownerReferences are left to the controller', () => {
  for (const o of rendered(kitchenSinkManifest())) {
    assert.equal(o.metadata.namespace, 'ml-prod');
    assert.equal(o.metadata.ownerReferences, undefined);
  }
  for (const o of rendered(manifest())) assert.equal(o.metadata.namespace, undefined);
});

void test('render is deterministic and does not touch its input', () => {
  const md = parsed(kitchenSinkManifest());
  const before = JSON.stringify(md);
  const a = renderModelDeployment(md);
  const b = renderModelDeployment(md);
  assert.ok(a.ok && b.ok);
  assert.equal(toYamlStream(a.objects), toYamlStream(b.objects));
  assert.equal(JSON.stringify(md), before);
  // Outputs share no structure: mutating one leaves the other, and the next render, alone.
  a.objects[0]!.metadata.labels['x'] = 'y';
  assert.equal(b.objects[0]!.metadata.labels['x'], undefined);
});

void test('the pod template does not change when only replicas change', () => {
  const a = deploymentOf(rendered(manifest({ 'spec.replicas': 2 })));
  const b = deploymentOf(rendered(manifest({ 'spec.replicas': 5 })));
  assert.deepEqual(a.spec!.template, b.spec!.template);
});

void test('the model version is a label, so a version change rolls the pods', () => {
  const a = deploymentOf(rendered(manifest()));
  const b = deploymentOf(rendered(manifest({ 'spec.model.version': '8', 'spec.model.uri': 's3://models/fraud/8' })));
  assert.equal(b.spec!.template.metadata!.labels!['app.kubernetes.io/version'], '8');
  assert.notDeepEqual(a.spec!.template, b.spec!.template);
  assert.deepEqual(a.spec!.selector, b.spec!.selector, 'the selector is immutable and must not follow the version');
});

void test('extended resources requested without a limit get one', () => {
  const d = deploymentOf(rendered(manifest({ 'spec.runtime.resources': { requests: { cpu: 1, 'nvidia.com/gpu': 1 } } })));
  assert.deepEqual(d.spec!.template.spec!.containers[0]!.resources, {
    limits: { 'nvidia.com/gpu': '1' },
    requests: { cpu: '1', 'nvidia.com/gpu': '1' },
  });
});
