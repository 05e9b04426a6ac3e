// Indexed Jobs with a native sidecar on the process runtime (test/cluster/process-kubelet.ts), run by the real
// Job controller: the shape of modelship's batch scoring pods (an init container, a model server as a
// restartPolicy Always init container, a runner as the main container). The sidecar starts first and is up
// when the runner starts, is stopped when the runner ends, and does not decide the pod's phase; the runner's
// JOB_COMPLETION_INDEX (which the Job controller adds to every container as a fieldRef to its completion-index
// annotation) is its index, and its termination message reaches the
// status; per-index back-off limits, FailIndex and a runner killed with SIGKILL act as on a kubelet's node.
// The containers are the MLServer image's Python (`python -c`), which starts in a fraction of a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchV1Api, CoreV1Api, type V1Container, type V1Job, type V1JobSpec, type V1Pod } from '@kubernetes/client-node';
import { processNodePlacement } from '../cluster/process-kubelet.ts';
import { dataPathCluster } from '../support/data-path.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';

const cluster = await dataPathCluster({ processRuntime: true });
const runtime = cluster.dataPath.processRuntime;
assert.ok(runtime, 'the data path runs the process runtime');
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const batch = kc.makeApiClient(BatchV1Api);
const namespace = await testNamespace(kc, 'process-jobs');

const image = 'docker.io/seldonio/mlserver:1.7.1';
const INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
const python = (name: string, code: string, extra: Partial<V1Container> = {}): V1Container => ({ name, image, command: ['python', '-c', code], ...extra });
const podIPEnv = { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } };

/** An HTTP server on the pod's IP, port 8000, as a native sidecar with startup and readiness probes. */
const serverSidecar = (): V1Container =>
  python('server', 'import http.server, os; http.server.ThreadingHTTPServer((os.environ["POD_IP"], 8000), http.server.SimpleHTTPRequestHandler).serve_forever()', {
    restartPolicy: 'Always',
    env: [podIPEnv],
    ports: [{ containerPort: 8000 }],
    startupProbe: { tcpSocket: { port: 8000 }, periodSeconds: 1, failureThreshold: 30 },
    readinessProbe: { httpGet: { path: '/', port: 8000 }, periodSeconds: 1 },
  });
/** A plain long-running sidecar. */
const sleepSidecar = (): V1Container => python('sleeper', 'import time; time.sleep(3600)', { restartPolicy: 'Always' });
const fetcher = (): V1Container => python('fetcher', 'print("fetched")');

async function createJob(name: string, containers: { init: V1Container[]; main: V1Container }, spec: Partial<V1JobSpec>): Promise<V1Job> {
  return batch.createNamespacedJob({
    namespace,
    body: {
      metadata: { name },
      spec: {
        completionMode: 'Indexed',
        completions: 1,
        parallelism: 1,
        ...spec,
        template: {
          metadata: { labels: { run: name } },
          spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 5, ...processNodePlacement(), initContainers: containers.init, containers: [containers.main] },
        },
      },
    },
  });
}

const podsOf = async (name: string) => (await core.listNamespacedPod({ namespace, labelSelector: `run=${name}` })).items;
const indexOf = (p: V1Pod) => p.metadata?.annotations?.[INDEX_ANNOTATION];
const terminated = (p: V1Pod, container: string) => p.status?.containerStatuses?.find((c) => c.name === container)?.state?.terminated;

async function jobCondition(name: string, type: 'Complete' | 'Failed', timeoutMs = 120_000): Promise<V1Job> {
  try {
    return await eventually(`Job ${name} ${type}`, () => batch.readNamespacedJob({ namespace, name }), (j) => j.status?.conditions?.some((c) => c.type === type && c.status === 'True') === true, timeoutMs, 250);
  } catch (err) {
    const pods = await podsOf(name);
    const detail = pods.map((p) => `${p.metadata?.name}: ${JSON.stringify(p.status)}\n${runtime?.logs(namespace, p.metadata?.name ?? '') ?? ''}`).join('\n');
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${detail}`, { cause: err });
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('an Indexed Job with a sidecar: the sidecar serves before the runner starts, is stopped after it, and each index reports itself', { timeout: 240_000 }, async () => {
  const name = 'indexed';
  // The runner reaches the sidecar (so it started after the sidecar's startup probe), stays a moment, and
  // writes its index as its termination message.
  const runner = python(
    'runner',
    [
      'import os, time, urllib.request',
      'urllib.request.urlopen("http://%s:8000/" % os.environ["POD_IP"], timeout=5).read()',
      'time.sleep(2)',
      'open("/dev/termination-log", "w").write(os.environ["JOB_COMPLETION_INDEX"])',
    ].join('\n'),
    { env: [podIPEnv] },
  );
  await createJob(name, { init: [fetcher(), serverSidecar()], main: runner }, { completions: 3, parallelism: 2 });
  // The sidecars' processes, seen while they run.
  const sidecarPids = new Map<string, number>();
  let maxRunning = 0;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const pods = await podsOf(name).catch(() => []);
      maxRunning = Math.max(maxRunning, pods.filter((p) => p.status?.phase === 'Running').length);
      for (const p of pods) {
        const pid = runtime.containerPid(namespace, p.metadata?.name ?? '', 'server');
        if (pid !== undefined) sidecarPids.set(p.metadata?.name ?? '', pid);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const job = await jobCondition(name, 'Complete').finally(() => {
    watching = false;
  });
  await watcher;
  assert.equal(job.status?.succeeded, 3);
  assert.equal(job.status?.completedIndexes, '0-2');
  assert.ok(maxRunning <= 2, `parallelism 2, saw ${maxRunning} pods running at once`);
  const pods = (await podsOf(name)).filter((p) => p.status?.phase === 'Succeeded');
  assert.deepEqual(pods.map(indexOf).sort(), ['0', '1', '2']);
  for (const p of pods) {
    const podName = p.metadata?.name ?? '';
    assert.equal(terminated(p, 'runner')?.exitCode, 0);
    assert.equal(terminated(p, 'runner')?.message, indexOf(p), `${podName}: the termination message is the pod's index`);
    const [fetched, server] = p.status?.initContainerStatuses ?? [];
    assert.equal(fetched?.state?.terminated?.exitCode, 0);
    assert.equal(server?.name, 'server');
    assert.ok(server?.state?.terminated, `${podName}: the sidecar was stopped: ${JSON.stringify(server)}`);
    assert.equal(server?.restartCount, 0);
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
    assert.equal(p.status?.conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
    const pid = sidecarPids.get(podName);
    assert.ok(pid !== undefined, `${podName}: the sidecar's process was seen running`);
    assert.equal(alive(pid), false, `${podName}: the sidecar's process ${pid} is gone`);
    assert.equal(runtime.containerPid(namespace, podName, 'server'), undefined);
  }
});

test('backoffLimitPerIndex: a failing index is retried once, then the Job fails with that index failed and the others completed', { timeout: 240_000 }, async () => {
  const name = 'per-index';
  const runner = python('runner', 'import os, sys; sys.exit(3 if os.environ["JOB_COMPLETION_INDEX"] == "0" else 0)');
  await createJob(name, { init: [sleepSidecar()], main: runner }, { completions: 2, parallelism: 2, backoffLimitPerIndex: 1 });
  const job = await jobCondition(name, 'Failed');
  assert.equal(job.status?.conditions?.find((c) => c.type === 'Failed')?.reason, 'FailedIndexes');
  assert.equal(job.status?.failedIndexes, '0');
  assert.equal(job.status?.completedIndexes, '1');
  const pods = await podsOf(name);
  const index0 = pods.filter((p) => indexOf(p) === '0');
  assert.equal(index0.length, 2, 'index 0 ran twice: once and one retry');
  for (const p of index0) {
    assert.equal(p.status?.phase, 'Failed', 'a failed runner fails the pod even though its sidecar was only stopped');
    assert.equal(terminated(p, 'runner')?.exitCode, 3);
  }
  assert.deepEqual(pods.filter((p) => indexOf(p) === '1').map((p) => p.status?.phase), ['Succeeded']);
});

test('podFailurePolicy FailIndex on exit code 20: the index fails without a retry', { timeout: 240_000 }, async () => {
  const name = 'fail-index';
  await createJob(
    name,
    { init: [sleepSidecar()], main: python('runner', 'import sys; sys.exit(20)') },
    { backoffLimitPerIndex: 3, podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { containerName: 'runner', operator: 'In', values: [20] } }] } },
  );
  const job = await jobCondition(name, 'Failed');
  assert.equal(job.status?.failedIndexes, '0');
  const pods = await podsOf(name);
  assert.equal(pods.length, 1, 'no retry for a FailIndex exit code');
  assert.equal(terminated(pods[0] ?? {}, 'runner')?.exitCode, 20);
});

test('a runner killed with SIGKILL fails its pod with 137 and the Job controller replaces it; deleting the Job stops its pods', { timeout: 240_000 }, async () => {
  const name = 'killed';
  // The first attempt waits to be killed; the replacement (failure count 1, from the Job controller) exits 0.
  const failures = { name: 'FAILURES', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-index-failure-count']" } } };
  const runner = python('runner', 'import os, time\nif os.environ["FAILURES"] in ("", "0"): time.sleep(600)', { env: [failures] });
  await createJob(name, { init: [sleepSidecar()], main: runner }, { backoffLimitPerIndex: 1 });
  const first = await eventually(
    'the runner to run',
    async () => (await podsOf(name))[0],
    (p) => p !== undefined && runtime.containerPid(namespace, p.metadata?.name ?? '', 'runner') !== undefined,
    60_000,
    100,
  );
  const firstName = first?.metadata?.name ?? '';
  assert.equal(runtime.kill(namespace, firstName, 'runner', 'SIGKILL'), true);
  const job = await jobCondition(name, 'Complete');
  assert.equal(job.status?.succeeded, 1);
  assert.equal(job.status?.failed, 1);
  const pods = await podsOf(name);
  assert.equal(pods.length, 2, 'one replacement pod for index 0');
  const killed = pods.find((p) => p.metadata?.name === firstName);
  assert.equal(killed?.status?.phase, 'Failed');
  assert.equal(terminated(killed ?? {}, 'runner')?.exitCode, 137);
  assert.equal(terminated(killed ?? {}, 'runner')?.reason, 'Error');
  const replacement = pods.find((p) => p.metadata?.name !== firstName);
  assert.equal(indexOf(replacement ?? {}), '0');
  assert.equal(replacement?.status?.phase, 'Succeeded');

  // Deleting a Job whose pod runs: the runtime stops the runner and the sidecar within the grace period.
  const busy = 'deleted';
  await createJob(busy, { init: [sleepSidecar()], main: python('runner', 'import time; time.sleep(600)') }, {});
  const running = await eventually('the runner to run', async () => (await podsOf(busy))[0], (p) => p !== undefined && runtime.containerPid(namespace, p.metadata?.name ?? '', 'runner') !== undefined, 60_000, 100);
  const busyName = running?.metadata?.name ?? '';
  const pids = [runtime.containerPid(namespace, busyName, 'runner'), runtime.containerPid(namespace, busyName, 'sleeper')];
  assert.ok(pids.every((p) => p !== undefined));
  await batch.deleteNamespacedJob({ namespace, name: busy, propagationPolicy: 'Foreground' });
  await eventually('the deleted Job\'s pod to go', () => podsOf(busy), (ps) => ps.length === 0, 60_000);
  for (const pid of pids) assert.equal(pid !== undefined && alive(pid), false, `process ${pid} stopped`);
});
