// The process runtime (test/cluster/process-kubelet.ts) as the real controllers see it: pods scheduled onto
// its node run as processes (the MLServer image's Python, which starts in a fraction of a second), and what
// they do reaches the Pod's status as a kubelet writes it, so the Job and Deployment controllers act on it:
// exit codes end Jobs, a crashing container restarts with its last state, a failing init container holds the
// pod, an image outside the image map waits with ImageNotRunnable, readiness comes from the real probe, and a
// deleted pod's process is stopped before the pod goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, BatchV1Api, CoreV1Api, type V1Container, type V1Pod, type V1PodSpec } from '@kubernetes/client-node';
import { processNodePlacement } from '../cluster/process-kubelet.ts';
import { dataPathCluster } from '../support/data-path.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const cluster = await dataPathCluster({ processRuntime: true });
const runtime = cluster.dataPath.processRuntime;
assert.ok(runtime, 'the data path runs the process runtime');
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const batch = kc.makeApiClient(BatchV1Api);
const namespace = await testNamespace(kc, 'process-runtime');

const image = 'docker.io/seldonio/mlserver:1.7.1';
const python = (name: string, code: string, extra: Partial<V1Container> = {}): V1Container => ({ name, image, command: ['python', '-c', code], ...extra });
const placed = (spec: V1PodSpec): V1PodSpec => ({
  ...spec,
  ...processNodePlacement(),
  terminationGracePeriodSeconds: 5,
});
const podsOf = async (selector: string) => (await core.listNamespacedPod({ namespace, labelSelector: selector })).items;
async function onePod(selector: string, holds: (pod: V1Pod) => boolean, what: string, timeoutMs = 60_000): Promise<V1Pod> {
  try {
    const pod = await eventually(what, async () => (await podsOf(selector))[0], (p) => p !== undefined && holds(p), timeoutMs, 250);
    assert.ok(pod);
    return pod;
  } catch (err) {
    const pods = await podsOf(selector);
    const detail = pods.map((p) => `${JSON.stringify(p.status)}\n${runtime?.logs(namespace, p.metadata?.name ?? '') ?? ''}`).join('\n');
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${detail}`, { cause: err });
  }
}

function job(name: string, code: string | V1Container) {
  return batch.createNamespacedJob({
    namespace,
    body: {
      metadata: { name },
      spec: { backoffLimit: 0, template: { metadata: { labels: { run: name } }, spec: placed({ restartPolicy: 'Never', containers: [typeof code === 'string' ? python('main', code) : code] }) } },
    },
  });
}

test('Job pods end with their exit code, and the Job controller completes or fails the Job', { timeout: 180_000 }, async () => {
  await job('succeeds', 'print("done")');
  await job('fails', 'import sys; sys.exit(3)');
  const ok = await onePod('run=succeeds', (p) => p.status?.phase === 'Succeeded', 'the succeeding pod to end');
  assert.equal(ok.spec?.nodeName, runtime.nodeName);
  assert.equal(ok.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0);
  assert.equal(ok.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  const failed = await onePod('run=fails', (p) => p.status?.phase === 'Failed', 'the failing pod to end');
  assert.equal(failed.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
  assert.equal(failed.status?.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');
  const condition = (name: string, type: string) =>
    eventually(`Job ${name} ${type}`, () => batch.readNamespacedJob({ namespace, name }), (j) => j.status?.conditions?.some((c) => c.type === type && c.status === 'True') === true, 60_000);
  await condition('succeeds', 'Complete');
  await condition('fails', 'Failed');
});

test("modelship's image runs this checkout's src/main.ts with the container's args", { timeout: 180_000 }, async () => {
  const modelship = 'ghcr.io/modelship/modelship:0.1.0';
  await job('modelship-help', { name: 'main', image: modelship, args: ['--help'] });
  await job('modelship-bad-flag', { name: 'main', image: modelship, args: ['--no-such-flag'] });
  const help = await onePod('run=modelship-help', (p) => p.status?.phase === 'Succeeded', 'modelship --help to exit 0');
  assert.match(runtime.logs(namespace, help.metadata?.name ?? ''), /--help/);
  const bad = await onePod('run=modelship-bad-flag', (p) => p.status?.phase === 'Failed', 'modelship with an unknown flag to fail');
  assert.equal(bad.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 2);
  assert.match(runtime.logs(namespace, bad.metadata?.name ?? ''), /invalid configuration/);
});

test('a crashing container restarts with back-off, its restartCount and last exit code in the status', { timeout: 180_000 }, async () => {
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: 'crasher' },
      spec: { replicas: 1, selector: { matchLabels: { run: 'crasher' } }, template: { metadata: { labels: { run: 'crasher' } }, spec: placed({ containers: [python('main', 'import sys; sys.exit(2)')] }) } },
    },
  });
  const pod = await onePod('run=crasher', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2, 'two restarts');
  const status = pod.status?.containerStatuses?.[0];
  assert.equal(pod.status?.phase, 'Running');
  assert.equal(status?.lastState?.terminated?.exitCode, 2);
  // Without a readiness probe a container is ready while it runs, as on a kubelet: the read may catch the
  // few milliseconds of a restarted run.
  assert.equal(status?.ready, status?.state?.running !== undefined);
});

test('a failing init container holds the pod before its main containers (Init:Error, retried); a Never pod fails', { timeout: 180_000 }, async () => {
  for (const [name, restartPolicy] of [
    ['init-retried', 'Always'],
    ['init-never', 'Never'],
  ] as const) {
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name, labels: { run: name } }, spec: placed({ restartPolicy, initContainers: [python('init', 'import sys; sys.exit(1)')], containers: [python('main', 'import time; time.sleep(600)')] }) },
    });
  }
  const retried = await onePod('run=init-retried', (p) => (p.status?.initContainerStatuses?.[0]?.restartCount ?? 0) >= 1, 'the init container to be retried');
  assert.equal(retried.status?.phase, 'Pending');
  assert.equal(retried.status?.initContainerStatuses?.[0]?.lastState?.terminated?.exitCode, 1);
  assert.equal(retried.status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'False');
  assert.ok(retried.status?.containerStatuses?.[0]?.state?.waiting, 'the main container never started');
  const never = await onePod('run=init-never', (p) => p.status?.phase === 'Failed', 'the Never pod to fail');
  assert.equal(never.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 1);
  assert.ok(never.status?.containerStatuses?.[0]?.state?.waiting, 'the main container never started');
});

test("termination messages: the terminationMessagePath file (default or the container's own), or the log's last 80 lines for FallbackToLogsOnError", { timeout: 180_000 }, async () => {
  const writes = (name: string, extra: Partial<V1Container>) =>
    python(name, 'import os, sys; open(os.environ["MSG_PATH"], "w").write("why it ended\\n"); sys.exit(2)', extra);
  const lines = 'import sys\nfor i in range(100): print(f"line {i}", flush=True)\nsys.exit(1)';
  await job('msg-default', writes('main', { env: [{ name: 'MSG_PATH', value: '/dev/termination-log' }] }));
  await job('msg-own', writes('main', { terminationMessagePath: '/var/run/why', env: [{ name: 'MSG_PATH', value: '/var/run/why' }] }));
  await job('msg-logs', python('main', lines, { terminationMessagePolicy: 'FallbackToLogsOnError' }));
  await job('msg-file-only', python('main', lines));
  const ended = async (name: string) => (await onePod(`run=${name}`, (p) => p.status?.phase === 'Failed', `${name} to end`)).status?.containerStatuses?.[0]?.state?.terminated;
  const byDefault = await ended('msg-default');
  assert.equal(byDefault?.exitCode, 2);
  assert.equal(byDefault?.message, 'why it ended\n');
  assert.equal((await ended('msg-own'))?.message, 'why it ended\n');
  const fromLogs = await ended('msg-logs');
  assert.equal(fromLogs?.exitCode, 1);
  assert.equal(fromLogs?.message, `${Array.from({ length: 80 }, (_, i) => `line ${i + 20}`).join('\n')}\n`);
  assert.equal((await ended('msg-file-only'))?.message, undefined, 'policy File with an empty file: no message');
});

test('an image outside the image map waits with ImageNotRunnable and a message naming it', { timeout: 120_000 }, async () => {
  await core.createNamespacedPod({ namespace, body: { metadata: { name: 'unknown-image', labels: { run: 'unknown-image' } }, spec: placed({ containers: [{ name: 'main', image: 'registry.example/scorer:1' }] }) } });
  const pod = await onePod('run=unknown-image', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImageNotRunnable', 'ImageNotRunnable');
  assert.match(pod.status?.containerStatuses?.[0]?.state?.waiting?.message ?? '', /registry\.example\/scorer:1/);
  assert.equal(pod.status?.phase, 'Pending');
});

test('a server is Ready from its real readiness probe, serves its volumes on the pod IP, and is stopped before its pod is deleted', { timeout: 180_000 }, async () => {
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'site' }, data: { 'hello.txt': 'hello from a ConfigMap\n' } } });
  // The server binds the pod IP from the downward API, serving the ConfigMap's mount path.
  const server = python(
    'web',
    'import http.server, functools, os\nh = functools.partial(http.server.SimpleHTTPRequestHandler, directory="/srv/site")\nhttp.server.ThreadingHTTPServer((os.environ["POD_IP"], 8000), h).serve_forever()',
    {
      env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
      ports: [{ name: 'http', containerPort: 8000 }],
      readinessProbe: { httpGet: { path: '/hello.txt', port: 'http' }, periodSeconds: 1 },
      volumeMounts: [{ name: 'site', mountPath: '/srv/site' }],
    },
  );
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { run: 'web' } }, template: { metadata: { labels: { run: 'web' } }, spec: placed({ containers: [server], volumes: [{ name: 'site', configMap: { name: 'site' } }] }) } },
    },
  });
  await eventually('the Deployment to be available', () => apps.readNamespacedDeployment({ namespace, name: 'web' }), (d) => d.status?.readyReplicas === 1, 60_000);
  const [pod] = await podsOf('run=web');
  const ip = pod?.status?.podIP ?? '';
  assert.equal(pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  const res = await fetch(`http://${ip}:8000/hello.txt`);
  assert.equal(await res.text(), 'hello from a ConfigMap\n');

  // Deleted: the process stops (its address stops answering) and the pod is gone; the ReplicaSet replaces it.
  const name = pod?.metadata?.name ?? '';
  await core.deleteNamespacedPod({ namespace, name });
  await eventually('the pod to be gone', async () => (await podsOf('run=web')).map((p) => p.metadata?.name), (names) => !names.includes(name), 30_000);
  const answers = await fetch(`http://${ip}:8000/hello.txt`, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );
  assert.equal(answers, false, 'nothing answers on the deleted pod\'s address');
  await eventually('a replacement to be Ready', () => apps.readNamespacedDeployment({ namespace, name: 'web' }), (d) => d.status?.readyReplicas === 1, 60_000);
});

// Last in the file: it stops the runtime. A pod still in its preStop sleep when the runtime stops (at the end of
// a test file, right before its API server) is killed at once and its deletion is left unconfirmed, as a stopped
// kubelet leaves it: a confirmation sent after the stop would reach an API server that may be gone.
test('stopping the runtime ends a terminating pod at once and leaves its deletion unconfirmed', { timeout: 120_000 }, async () => {
  const preStopSeconds = 4;
  const main = python('main', 'import time\nwhile True: time.sleep(1)', { lifecycle: { preStop: { sleep: { seconds: preStopSeconds } } } });
  await core.createNamespacedPod({ namespace, body: { metadata: { name: 'held', labels: { run: 'held' } }, spec: { ...placed({ containers: [main] }), terminationGracePeriodSeconds: 60 } } });
  await onePod('run=held', (p) => p.status?.containerStatuses?.[0]?.state?.running !== undefined, 'the pod to run');
  const pid = runtime.containerPid(namespace, 'held', 'main');
  assert.ok(pid !== undefined);
  await core.deleteNamespacedPod({ namespace, name: 'held' });
  // The runtime's informer sees the deletion and its preStop sleep begins.
  await sleep(1000);
  assert.equal(runtime.containerPid(namespace, 'held', 'main'), pid, 'still running in its preStop sleep');
  await runtime.stop();
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the process is gone once stop() returns');
  // Past the preStop sleep: nothing confirmed the deletion, the pod is still there, terminating.
  await sleep((preStopSeconds + 2) * 1000);
  const pod = await core.readNamespacedPod({ namespace, name: 'held' });
  assert.ok(pod.metadata?.deletionTimestamp, 'terminating');
});
