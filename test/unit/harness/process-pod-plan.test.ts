import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import {
  CONFIG_ERROR,
  IMAGE_NOT_RUNNABLE,
  defaultImageRules,
  expandVariables,
  findImageRule,
  imageRepository,
  processPlan,
  quantityValue,
  resourceValue,
  rewriteLoopback,
  rewritePaths,
  volumeFolders,
  type PodObjects,
} from '../../cluster/process-pod-plan.ts';
import { PRESET_IMAGES } from '../../../src/render/presets/images.ts';

const rules = defaultImageRules({ mlserverBin: '/cache/venv/bin', repoDir: '/repo', node: '/usr/bin/node' });
const noObjects: PodObjects = { claims: {}, configMaps: {}, secrets: {} };

function pod(containers: V1Container[], volumes: NonNullable<V1Pod['spec']>['volumes'] = []): V1Pod {
  return { metadata: { name: 'iris-abc', namespace: 'ml', uid: 'u-1', labels: { app: 'iris' } }, spec: { containers, volumes, nodeName: 'process-node-0' } };
}

test('image references reduce to their repository: tag, digest and the Docker Hub default registry', () => {
  assert.equal(imageRepository('docker.io/seldonio/mlserver:1.7.1'), 'docker.io/seldonio/mlserver');
  assert.equal(imageRepository('seldonio/mlserver:1.7.1'), 'docker.io/seldonio/mlserver');
  assert.equal(imageRepository('seldonio/mlserver@sha256:abc'), 'docker.io/seldonio/mlserver');
  assert.equal(imageRepository('busybox'), 'docker.io/library/busybox');
  assert.equal(imageRepository('localhost:5000/x/y:1'), 'localhost:5000/x/y');
  assert.equal(imageRepository('ghcr.io/modelship/modelship:v1@sha256:abc'), 'ghcr.io/modelship/modelship');
});

test("the mlserver preset's image and modelship's image are in the map, other images are not", () => {
  assert.ok(findImageRule(rules, PRESET_IMAGES.mlserver));
  assert.ok(findImageRule(rules, 'ghcr.io/modelship/modelship:0.1.0'));
  assert.equal(findImageRule(rules, PRESET_IMAGES.triton), undefined);
  assert.equal(findImageRule(rules, 'registry.example/scorer:1'), undefined);
});

test('an MLServer container runs the environment\'s mlserver on the mount\'s host folder, bound to the pod IP', () => {
  const container: V1Container = {
    name: 'model-server',
    image: PRESET_IMAGES.mlserver,
    command: ['mlserver', 'start', '/mnt/models'],
    env: [
      { name: 'MLSERVER_MODEL_URI', value: '/mnt/models' },
      { name: 'MLSERVER_HTTP_PORT', value: '8080' },
      { name: 'MLSERVER_HOST', value: '0.0.0.0' },
    ],
    volumeMounts: [{ name: 'model', mountPath: '/mnt/models', subPath: 'iris', readOnly: true }],
  };
  const p = pod([container], [{ name: 'model', persistentVolumeClaim: { claimName: 'models' } }]);
  const objects: PodObjects = { ...noObjects, claims: { models: '/host/models' } };
  const folders = volumeFolders(p.spec?.volumes ?? [], '/pods/p1', objects);
  assert.ok(folders.ok);
  const plan = processPlan({ pod: p, container, rules, folders: folders.value, objects, podIP: '10.245.254.1' });
  assert.ok(plan.ok, JSON.stringify(plan));
  assert.equal(plan.value.command, '/cache/venv/bin/mlserver');
  assert.deepEqual(plan.value.args, ['start', '/host/models/iris']);
  assert.equal(plan.value.env.MLSERVER_MODEL_URI, '/host/models/iris');
  assert.equal(plan.value.env.MLSERVER_HTTP_PORT, '8080');
  // The bind address is the runtime's: every pod shares one network namespace.
  assert.equal(plan.value.env.MLSERVER_HOST, '10.245.254.1');
  assert.equal(plan.value.cwd, undefined);
});

test("without a command the image's ENTRYPOINT and CMD run; args replace CMD only", () => {
  const p = pod([]);
  const plan = (c: V1Container) => processPlan({ pod: p, container: c, rules, folders: [], objects: noObjects, podIP: '10.0.254.2' });
  const mlserver = plan({ name: 's', image: 'seldonio/mlserver:1.7.1' });
  assert.ok(mlserver.ok);
  assert.deepEqual([mlserver.value.command, ...mlserver.value.args], ['/cache/venv/bin/mlserver', 'start', '/mnt/models']);
  const modelship = plan({ name: 'fetch', image: 'ghcr.io/modelship/modelship:0.1.0', args: ['fetch', 's3://b/m', '/app/out'] });
  assert.ok(modelship.ok);
  assert.deepEqual([modelship.value.command, ...modelship.value.args], ['/usr/bin/node', '--max-semi-space-size=1', 'src/main.ts', 'fetch', 's3://b/m', '/repo/out']);
  assert.equal(modelship.value.cwd, '/repo');
});

test("the termination-message path is mapped to the run's file like a mount path: the default and a container's own", () => {
  const p = pod([]);
  const fetcher = { name: 'model-fetcher', image: 'ghcr.io/modelship/modelship:0.1.0', args: ['fetch', '--termination-log', '/dev/termination-log', 's3://b/m', '/mnt/models'], volumeMounts: [{ name: 'model', mountPath: '/mnt/models' }] };
  const folders = [{ name: 'model', kind: 'dir' as const, hostPath: '/pods/p/volumes/model', create: true }];
  const mapped = processPlan({ pod: p, container: fetcher, rules, folders, objects: noObjects, podIP: '10.0.254.2', terminationFile: '/pods/p/termination/model-fetcher-0' });
  assert.ok(mapped.ok);
  assert.deepEqual(mapped.value.args.slice(2), ['fetch', '--termination-log', '/pods/p/termination/model-fetcher-0', 's3://b/m', '/pods/p/volumes/model']);
  const own = processPlan({ pod: p, container: { ...fetcher, terminationMessagePath: '/tmp/why', args: ['fetch', '--termination-log=/tmp/why', 's3://b/m', '/mnt/models'] }, rules, folders, objects: noObjects, podIP: '10.0.254.2', terminationFile: '/pods/p/termination/model-fetcher-1' });
  assert.ok(own.ok);
  assert.equal(own.value.args[3], '--termination-log=/pods/p/termination/model-fetcher-1');
  const none = processPlan({ pod: p, container: fetcher, rules, folders, objects: noObjects, podIP: '10.0.254.2' });
  assert.ok(none.ok);
  assert.equal(none.value.args[4], '/dev/termination-log', 'without a run file nothing is mapped');
});

test('an image outside the map, or a program the image does not have, is ImageNotRunnable with a message', () => {
  const p = pod([]);
  const plan = (c: V1Container) => processPlan({ pod: p, container: c, rules, folders: [], objects: noObjects, podIP: '10.0.254.2' });
  const unknown = plan({ name: 's', image: 'nvcr.io/nvidia/tritonserver:25.01-py3' });
  assert.equal(unknown.ok, false);
  assert.ok(!unknown.ok && unknown.reason === IMAGE_NOT_RUNNABLE && unknown.message.includes('tritonserver'));
  const shell = plan({ name: 's', image: PRESET_IMAGES.mlserver, command: ['sh', '-c', 'echo hi'] });
  assert.ok(!shell.ok && shell.reason === IMAGE_NOT_RUNNABLE && shell.message.includes('"sh"'));
});

test('volumes become folders: emptyDir and projected ConfigMaps and Secrets under the pod folder, claims at their host folder', () => {
  const objects: PodObjects = {
    claims: { data: '/srv/data' },
    configMaps: { cfg: { 'settings.json': '{}', other: 'x' } },
    secrets: { creds: { key: 's3cret' } },
  };
  const folders = volumeFolders(
    [
      { name: 'scratch', emptyDir: {} },
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'config', configMap: { name: 'cfg', items: [{ key: 'settings.json', path: 'conf/settings.json' }] } },
      { name: 'creds', secret: { secretName: 'creds' } },
      { name: 'host', hostPath: { path: '/var/lib/x', type: 'DirectoryOrCreate' } },
    ],
    '/pods/p1',
    objects,
  );
  assert.ok(folders.ok);
  assert.deepEqual(folders.value, [
    { name: 'scratch', kind: 'dir', hostPath: '/pods/p1/volumes/scratch', create: true },
    { name: 'data', kind: 'dir', hostPath: '/srv/data', create: false },
    { name: 'config', kind: 'files', hostPath: '/pods/p1/volumes/config', files: { 'conf/settings.json': '{}' } },
    { name: 'creds', kind: 'files', hostPath: '/pods/p1/volumes/creds', files: { key: 's3cret' } },
    { name: 'host', kind: 'dir', hostPath: '/var/lib/x', create: true },
  ]);
});

test('an unbound claim, a missing ConfigMap or an unsupported volume is a configuration error; optional ones are empty', () => {
  const unbound = volumeFolders([{ name: 'd', persistentVolumeClaim: { claimName: 'nope' } }], '/p', noObjects);
  assert.ok(!unbound.ok && unbound.reason === CONFIG_ERROR && unbound.message.includes('nope'));
  const missing = volumeFolders([{ name: 'c', configMap: { name: 'gone' } }], '/p', noObjects);
  assert.ok(!missing.ok && missing.message.includes('gone'));
  const optional = volumeFolders([{ name: 'c', configMap: { name: 'gone', optional: true } }], '/p', noObjects);
  assert.ok(optional.ok && optional.value[0]?.kind === 'files');
  const csi = volumeFolders([{ name: 'x', csi: { driver: 'd' } }], '/p', noObjects);
  assert.ok(!csi.ok && csi.reason === CONFIG_ERROR);
});

test("the ServiceAccount admission's projected volume: the CA and the namespace as files, no token", () => {
  const folders = volumeFolders(
    [
      {
        name: 'kube-api-access-x1',
        projected: {
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ],
    '/pods/p1',
    { ...noObjects, configMaps: { 'kube-root-ca.crt': { 'ca.crt': 'PEM' } } },
    pod([]),
  );
  assert.ok(folders.ok, JSON.stringify(folders));
  assert.deepEqual(folders.value, [{ name: 'kube-api-access-x1', kind: 'files', hostPath: '/pods/p1/volumes/kube-api-access-x1', files: { 'ca.crt': 'PEM', namespace: 'ml' } }]);
});

test('mount paths are rewritten at path boundaries only, the longest first', () => {
  const paths = { '/mnt/models': '/h/m', '/mnt/models/extra': '/h/x', '/etc/modelship': '/h/cfg' };
  assert.equal(rewritePaths('/mnt/models', paths), '/h/m');
  assert.equal(rewritePaths('/mnt/models/a.joblib', paths), '/h/m/a.joblib');
  assert.equal(rewritePaths('/mnt/models/extra/b', paths), '/h/x/b');
  assert.equal(rewritePaths('--dir=/mnt/models', paths), '--dir=/h/m');
  assert.equal(rewritePaths('a:/mnt/models:/etc/modelship', paths), 'a:/h/m:/h/cfg');
  assert.equal(rewritePaths('/mnt/models2', paths), '/mnt/models2');
  assert.equal(rewritePaths('/data/mnt/models', paths), '/data/mnt/models');
  assert.equal(rewritePaths('s3://bucket/mnt/models', paths), 's3://bucket/mnt/models');
});

test("a URL to the pod's loopback reaches the pod's IP: arguments and environment, hosts only", () => {
  assert.equal(rewriteLoopback('http://127.0.0.1:8080', '10.0.254.3'), 'http://10.0.254.3:8080');
  assert.equal(rewriteLoopback('http://localhost/v2', '10.0.254.3'), 'http://10.0.254.3/v2');
  assert.equal(rewriteLoopback('http://[::1]:80', '10.0.254.3'), 'http://10.0.254.3:80');
  assert.equal(rewriteLoopback('http://localhost', '10.0.254.3'), 'http://10.0.254.3');
  assert.equal(rewriteLoopback('http://localhost.example:80', '10.0.254.3'), 'http://localhost.example:80');
  assert.equal(rewriteLoopback('http://127.0.0.10:80', '10.0.254.3'), 'http://127.0.0.10:80');
  assert.equal(rewriteLoopback('127.0.0.1:8080', '10.0.254.3'), '127.0.0.1:8080', 'a bind address is not a URL');
  assert.equal(rewriteLoopback('s3://bucket/localhost', '10.0.254.3'), 's3://bucket/localhost');
  const container: V1Container = {
    name: 'batch-runner',
    image: 'ghcr.io/modelship/modelship:0.1.0',
    args: ['batch', '--server', 'http://127.0.0.1:8080'],
    env: [{ name: 'SERVER', value: 'http://localhost:8080/' }],
  };
  const plan = processPlan({ pod: pod([container]), container, rules, folders: [], objects: noObjects, podIP: '10.0.254.3' });
  assert.ok(plan.ok, JSON.stringify(plan));
  assert.deepEqual(plan.value.args.slice(-3), ['batch', '--server', 'http://10.0.254.3:8080']);
  assert.equal(plan.value.env.SERVER, 'http://10.0.254.3:8080/');
});

test("the environment: envFrom, values, field and key references, and $(VAR) expansion as the kubelet's", () => {
  const container: V1Container = {
    name: 'c',
    image: PRESET_IMAGES.mlserver,
    command: ['mlserver', 'start', '$(DIR)'],
    envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
    env: [
      { name: 'DIR', value: '/mnt/models' },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'token' } } },
      { name: 'MAYBE', valueFrom: { secretKeyRef: { name: 's', key: 'absent', optional: true } } },
      { name: 'URL', value: 'http://$(IP):8080/$$(DIR)' },
    ],
    volumeMounts: [{ name: 'm', mountPath: '/mnt/models' }],
  };
  const objects: PodObjects = { claims: {}, configMaps: { cfg: { a: '1' } }, secrets: { s: { token: 't0k' } } };
  const plan = processPlan({ pod: pod([container]), container, rules, folders: [{ name: 'm', kind: 'dir', hostPath: '/pods/p/volumes/m', create: true }], objects, podIP: '10.1.254.9' });
  assert.ok(plan.ok, JSON.stringify(plan));
  const { env } = plan.value;
  assert.equal(env.CFG_a, '1');
  assert.equal(env.DIR, '/pods/p/volumes/m');
  assert.equal(env.POD, 'iris-abc');
  assert.equal(env.IP, '10.1.254.9');
  assert.equal(env.APP, 'iris');
  assert.equal(env.TOKEN, 't0k');
  assert.equal('MAYBE' in env, false);
  assert.equal(env.URL, 'http://10.1.254.9:8080/$(DIR)');
  assert.deepEqual(plan.value.args, ['start', '/pods/p/volumes/m']);
  const missing = processPlan({ pod: pod([container]), container: { ...container, envFrom: [] , env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }] }, rules, folders: [{ name: 'm', kind: 'dir', hostPath: '/x', create: true }], objects, podIP: '10.1.254.9' });
  assert.ok(!missing.ok && missing.reason === CONFIG_ERROR);
  assert.equal(expandVariables('$(UNSET) and $(A)', { A: 'a' }), '$(UNSET) and a');
});

test("the downward API in env: the Job controller's completion-index annotation, pod fields, and resources", () => {
  const container: V1Container = {
    name: 'runner',
    image: PRESET_IMAGES.mlserver,
    command: ['python'],
    resources: { limits: { memory: '512Mi' }, requests: { cpu: '250m' } },
    env: [
      { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
      { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'NO_LABEL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['absent']" } } },
      { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'CPU_MILLI', valueFrom: { resourceFieldRef: { containerName: 'runner', resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'CPU_CORES', valueFrom: { resourceFieldRef: { resource: 'requests.cpu' } } },
    ],
  };
  const p = pod([container]);
  const indexed: V1Pod = { ...p, metadata: { ...p.metadata, annotations: { 'batch.kubernetes.io/job-completion-index': '2' } } };
  const plan = processPlan({ pod: indexed, container, rules, folders: [], objects: noObjects, podIP: '10.1.254.3' });
  assert.ok(plan.ok, JSON.stringify(plan));
  const { env } = plan.value;
  assert.equal(env.JOB_COMPLETION_INDEX, '2');
  assert.equal(env.NS, 'ml');
  assert.equal(env.UID, 'u-1');
  assert.equal(env.NODE, 'process-node-0');
  assert.equal(env.NO_LABEL, '', 'a label the pod does not have is empty, as on a kubelet');
  assert.equal(env.MEM_MI, '512');
  assert.equal(env.CPU_LIMIT, '8', "an unset limit is the node's allocatable");
  assert.equal(env.CPU_MILLI, '250');
  assert.equal(env.CPU_CORES, '1', 'rounded up to the divisor');
  const unsupported = processPlan({ pod: indexed, container: { ...container, env: [{ name: 'X', valueFrom: { resourceFieldRef: { resource: 'limits.nvidia.com/gpu' } } }] }, rules, folders: [], objects: noObjects, podIP: '10.1.254.3' });
  assert.ok(!unsupported.ok && unsupported.reason === CONFIG_ERROR);
  assert.equal(quantityValue('1.5Gi'), 1.5 * 2 ** 30);
  assert.equal(quantityValue('100m'), 0.1);
  assert.equal(quantityValue('lots'), undefined);
  assert.equal(resourceValue(indexed, 'nobody', 'limits.cpu', undefined), undefined);
});
