import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { exitCodeOf, podInitialized, podPhase, podStatus, terminatedReason, terminationMessage, terminationMessageLimit, type ContainerRun, type PodRun } from '../../cluster/process-pod-status.ts';

const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:00:05.000Z';
const t2 = '2026-01-01T00:00:09.000Z';

const running = (name: string, extra: Partial<ContainerRun> = {}): ContainerRun => ({ name, image: 'img', state: { kind: 'running', startedAt: t0 }, restartCount: 0, ready: false, started: true, ...extra });
const waiting = (name: string, reason = 'PodInitializing', extra: Partial<ContainerRun> = {}): ContainerRun => ({ name, image: 'img', state: { kind: 'waiting', reason }, restartCount: 0, ready: false, started: false, ...extra });
const exited = (name: string, exitCode: number, extra: Partial<ContainerRun> = {}): ContainerRun => ({
  name,
  image: 'img',
  state: { kind: 'terminated', exitCode, reason: terminatedReason(exitCode), startedAt: t0, finishedAt: t1 },
  restartCount: 0,
  ready: false,
  started: false,
  ...extra,
});
const run = (init: ContainerRun[], main: ContainerRun[]): PodRun => ({ podIP: '10.245.254.1', hostIP: '10.245.255.254', startTime: t0, init, main });
const pod = (restartPolicy: string, status?: V1Pod['status']): V1Pod => ({ metadata: { name: 'p', namespace: 'ns', uid: 'uid-1' }, spec: { containers: [], restartPolicy }, ...(status ? { status } : {}) });

test('exit codes: the process code, or 128 + the signal number as a kubelet reports a killed container', () => {
  assert.equal(exitCodeOf(0, null), 0);
  assert.equal(exitCodeOf(3, null), 3);
  assert.equal(exitCodeOf(null, 'SIGTERM'), 143);
  assert.equal(exitCodeOf(null, 'SIGKILL'), 137);
  assert.equal(terminatedReason(0), 'Completed');
  assert.equal(terminatedReason(1), 'Error');
});

test('phases follow init containers, main containers and the restart policy', () => {
  // Init containers not done: Pending; a failed one fails a Never pod and keeps others Pending (retried).
  assert.equal(podPhase(run([running('fetch')], [waiting('server')]), 'Always'), 'Pending');
  assert.equal(podPhase(run([exited('fetch', 1)], [waiting('server')]), 'Never'), 'Failed');
  assert.equal(podPhase(run([exited('fetch', 1)], [waiting('server')]), 'Always'), 'Pending');
  assert.equal(podPhase(run([exited('fetch', 0)], [waiting('server', 'ContainerCreating')]), 'Always'), 'Pending');
  assert.equal(podPhase(run([exited('fetch', 0)], [running('server')]), 'Always'), 'Running');
  // Job pods end.
  assert.equal(podPhase(run([], [exited('job', 0)]), 'Never'), 'Succeeded');
  assert.equal(podPhase(run([], [exited('job', 2)]), 'Never'), 'Failed');
  assert.equal(podPhase(run([], [exited('job', 0)]), 'OnFailure'), 'Succeeded');
  // A crash-looping server stays Running between restarts, as on a kubelet.
  const last = exited('server', 1).state;
  assert.equal(podPhase(run([], [waiting('server', 'CrashLoopBackOff', { restartCount: 2, lastTerminated: last.kind === 'terminated' ? last : undefined })]), 'Always'), 'Running');
  // An image this runtime cannot run keeps the pod Pending with its waiting reason.
  assert.equal(podPhase(run([], [waiting('server', 'ImageNotRunnable')]), 'Always'), 'Pending');
});

test('a Ready pod: conditions, IPs and container statuses as a kubelet writes them', () => {
  const s = podStatus(pod('Always'), run([exited('fetch', 0)], [running('server', { ready: true })]), t1);
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.245.254.1');
  assert.deepEqual(s.podIPs, [{ ip: '10.245.254.1' }]);
  assert.equal(s.hostIP, '10.245.255.254');
  const conditions = Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c.status]));
  assert.deepEqual(conditions, { PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True' });
  const server = s.containerStatuses?.[0];
  assert.equal(server?.ready, true);
  assert.equal(server?.started, true);
  assert.ok(server?.state?.running);
  assert.match(server?.containerID ?? '', /^process:\/\/uid-1\/server\/0$/);
  assert.equal(s.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
  assert.equal(s.initContainerStatuses?.[0]?.state?.terminated?.exitCode, 0);
});

test('not ready: the Ready conditions are False with ContainersNotReady; before init, Initialized is False', () => {
  const s = podStatus(pod('Always'), run([running('fetch')], [waiting('server')]), t1);
  const byType = new Map((s.conditions ?? []).map((c) => [c.type, c]));
  assert.equal(byType.get('Initialized')?.status, 'False');
  assert.equal(byType.get('Initialized')?.reason, 'ContainersNotInitialized');
  assert.equal(byType.get('Ready')?.reason, 'ContainersNotReady');
  assert.equal(s.containerStatuses?.[0]?.state?.waiting?.reason, 'PodInitializing');
  assert.equal(s.containerStatuses?.[0]?.containerID, undefined);
});

test('a restarted container reports restartCount and its last termination', () => {
  const previous = exited('server', 137).state;
  assert.equal(previous.kind, 'terminated');
  const s = podStatus(pod('Always'), run([], [running('server', { restartCount: 1, lastTerminated: previous.kind === 'terminated' ? previous : undefined })]), t1);
  const c = s.containerStatuses?.[0];
  assert.equal(c?.restartCount, 1);
  assert.equal(c?.lastState?.terminated?.exitCode, 137);
  assert.equal(c?.lastState?.terminated?.reason, 'Error');
});

test('a finished Job pod is not Ready (PodCompleted) and reports the exit code', () => {
  const s = podStatus(pod('Never'), run([], [exited('job', 3)]), t1);
  assert.equal(s.phase, 'Failed');
  const ready = s.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'False');
  assert.equal(ready?.reason, 'PodCompleted');
  assert.equal(s.containerStatuses?.[0]?.state?.terminated?.exitCode, 3);
});

test('a condition keeps its lastTransitionTime while its status stays, and moves when it changes', () => {
  const first = podStatus(pod('Always'), run([], [running('server')]), t1);
  const again = podStatus(pod('Always', first), run([], [running('server')]), t2);
  assert.deepEqual(again.conditions, first.conditions);
  const ready = podStatus(pod('Always', first), run([], [running('server', { ready: true })]), t2);
  const at = (s: typeof first, type: string) => s.conditions?.find((c) => c.type === type)?.lastTransitionTime?.toISOString();
  assert.equal(at(ready, 'Ready'), t2);
  assert.equal(at(ready, 'PodScheduled'), t1);
});

test('the pod simulator leaves pods on the process runtime\'s node alone', async () => {
  const { podsToServe } = await import('../../cluster/pod-simulator.ts');
  const servedPod = (name: string, nodeName: string, ip: string): V1Pod => ({
    metadata: { name, namespace: 'ns', uid: name, labels: { 'modelship.io/model-deployment': 'm' }, creationTimestamp: new Date(t0) },
    spec: { nodeName, containers: [{ name: 'server', image: 'docker.io/seldonio/mlserver:1.7.1' }] },
    status: { phase: 'Running', podIP: ip },
  });
  const served = podsToServe([servedPod('simulated', 'kwok-node-0', '10.245.0.1'), servedPod('real', 'process-node-0', '10.245.254.1')], '10.245.0.0/16');
  assert.deepEqual(served.map((p) => p.name), ['simulated']);
});

test('the pod simulator names live model pods that share an IP, and no others', async () => {
  const { sharedIps } = await import('../../cluster/pod-simulator.ts');
  const pod = (name: string, ip: string, extra: { deleting?: boolean; phase?: string; unlabelled?: boolean } = {}): V1Pod => ({
    metadata: { name, namespace: 'ns', labels: extra.unlabelled ? {} : { 'modelship.io/model-deployment': 'm' }, ...(extra.deleting ? { deletionTimestamp: new Date(t0) } : {}) },
    status: { phase: extra.phase ?? 'Running', podIP: ip },
  });
  assert.deepEqual(sharedIps([pod('a', '10.245.0.1'), pod('b', '10.245.0.1'), pod('c', '10.245.0.2')]), ['pods ns/a, ns/b all have the IP 10.245.0.1']);
  // A terminating pod's IP handed on, a pod not Running, and a pod of no model are no conflict.
  assert.deepEqual(sharedIps([pod('a', '10.245.0.1', { deleting: true }), pod('b', '10.245.0.1'), pod('c', '10.245.0.1', { phase: 'Pending' }), pod('d', '10.245.0.1', { unlabelled: true })]), []);
});

test('termination messages as a kubelet reads them: the file first (its last 4096 bytes), the log only for FallbackToLogsOnError after a failure', () => {
  const log = Buffer.from(`${Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n')}\n`);
  const file = Buffer.from('modelship-fetch: AccessDenied: s3://m/x: access denied (SignatureDoesNotMatch)\n');
  const fallback = 'FallbackToLogsOnError';
  assert.equal(terminationMessage({ policy: fallback, exitCode: 11, file, logTail: log }), file.toString());
  assert.equal(terminationMessage({ policy: 'File', exitCode: 11, file, logTail: log }), file.toString());
  assert.equal(terminationMessage({ policy: undefined, exitCode: 0, file: Buffer.from('done\n'), logTail: log }), 'done\n', 'a file is read after success too');
  assert.equal(terminationMessage({ policy: 'File', exitCode: 1, file: Buffer.alloc(0), logTail: log }), undefined, 'File: no fallback to the log');
  assert.equal(terminationMessage({ policy: fallback, exitCode: 0, file: Buffer.alloc(0), logTail: log }), undefined, 'no fallback after success');
  // The last 80 lines of the log, when the file is empty or absent.
  const fromLog = terminationMessage({ policy: fallback, exitCode: 1, file: undefined, logTail: log });
  assert.equal(fromLog, `${Array.from({ length: 80 }, (_, i) => `line ${i + 20}`).join('\n')}\n`);
  assert.equal(terminationMessage({ policy: fallback, exitCode: 1, file: Buffer.alloc(0), logTail: log }), fromLog);
  // At most 2048 bytes of them, the last ones.
  const wide = Buffer.from(`${Array.from({ length: 10 }, (_, i) => `${i}`.repeat(500)).join('\n')}\n`);
  const cut = terminationMessage({ policy: fallback, exitCode: 1, file: undefined, logTail: wide }) ?? '';
  assert.equal(Buffer.byteLength(cut), 2048);
  assert.ok(cut.endsWith(`${'9'.repeat(500)}\n`));
  // A file is cut to its last 4096 bytes.
  const big = Buffer.concat([Buffer.from('x'.repeat(5000)), Buffer.from('the end')]);
  const read = terminationMessage({ policy: fallback, exitCode: 1, file: big, logTail: log }) ?? '';
  assert.equal(read.length, 4096);
  assert.ok(read.endsWith('the end'));
  assert.equal(terminationMessage({ policy: fallback, exitCode: 1, file: undefined, logTail: Buffer.alloc(0) }), undefined);
});

test('native sidecars: started sidecars initialize the pod, running ones keep it Running, stopped ones do not decide the phase', () => {
  const sidecar = (c: ContainerRun): ContainerRun => ({ ...c, sidecar: true });
  const fetched = exited('model-fetcher', 0);
  // Before its startup probe passes, a sidecar keeps the pod Pending and not Initialized.
  const starting = run([fetched, sidecar(running('model-server', { started: false }))], [waiting('batch-runner')]);
  assert.equal(podPhase(starting, 'Never'), 'Pending');
  assert.equal(podInitialized(starting), false);
  const startedRun = run([fetched, sidecar(running('model-server', { ready: true }))], [waiting('batch-runner', 'ContainerCreating')]);
  assert.equal(podInitialized(startedRun), true);
  // The runner runs beside the sidecar; when it has ended, the still-running sidecar keeps the pod Running.
  assert.equal(podPhase(run([fetched, sidecar(running('model-server'))], [running('batch-runner')]), 'Never'), 'Running');
  assert.equal(podPhase(run([fetched, sidecar(running('model-server'))], [exited('batch-runner', 0)]), 'Never'), 'Running');
  // Once the runtime stopped it (SIGTERM: 143), the main container alone decides.
  assert.equal(podPhase(run([fetched, sidecar(exited('model-server', 143))], [exited('batch-runner', 0)]), 'Never'), 'Succeeded');
  assert.equal(podPhase(run([fetched, sidecar(exited('model-server', 0))], [exited('batch-runner', 3)]), 'Never'), 'Failed');
  assert.equal(podPhase(run([fetched, sidecar(exited('model-server', 137))], [exited('batch-runner', 0)]), 'OnFailure'), 'Succeeded');
  // A sidecar restarting after the pod was initialized does not make it Pending again.
  const last = exited('model-server', 1).state;
  const restarting = sidecar(waiting('model-server', 'CrashLoopBackOff', { restartCount: 1, lastTerminated: last.kind === 'terminated' ? last : undefined }));
  assert.equal(podPhase({ ...run([fetched, restarting], [running('batch-runner')]), initialized: true }, 'Never'), 'Running');
  const rerunning = sidecar(running('model-server', { started: false, restartCount: 2 }));
  assert.equal(podPhase({ ...run([fetched, rerunning], [running('batch-runner')]), initialized: true }, 'Never'), 'Running');
  assert.equal(podPhase(run([fetched, rerunning], [waiting('batch-runner')]), 'Never'), 'Pending', 'not initialized yet: the runner waits');
  // A main container that cannot start keeps the pod Pending even while another runs, as a kubelet's getPhase.
  assert.equal(podPhase(run([], [running('a'), waiting('b', 'ImageNotRunnable')]), 'Always'), 'Pending');
  // A failed regular init container after a sidecar still fails a Never pod.
  assert.equal(podPhase(run([sidecar(running('model-server')), exited('model-fetcher', 1)], [waiting('batch-runner')]), 'Never'), 'Failed');
});

test("sidecar statuses and conditions: initContainerStatuses with started, ready and restarts; the sidecar's readiness counts for ContainersReady", () => {
  const sc: ContainerRun = { ...running('model-server', { ready: false, restartCount: 1 }), sidecar: true };
  const notReady = podStatus(pod('Never'), run([exited('model-fetcher', 0), sc], [running('batch-runner', { ready: true })]), t1);
  const conditions = (s: typeof notReady) => Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c.status]));
  assert.deepEqual(conditions(notReady), { PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'False', ContainersReady: 'False', PodScheduled: 'True' });
  const status = notReady.initContainerStatuses?.[1];
  assert.equal(status?.name, 'model-server');
  assert.equal(status?.started, true);
  assert.equal(status?.ready, false);
  assert.equal(status?.restartCount, 1);
  assert.ok(status?.state?.running);
  const ready = podStatus(pod('Never'), run([exited('model-fetcher', 0), { ...sc, ready: true }], [running('batch-runner', { ready: true })]), t1);
  assert.deepEqual(conditions(ready), { PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True' });
  const done = podStatus(pod('Never'), run([exited('model-fetcher', 0), { ...exited('model-server', 143), sidecar: true }], [exited('batch-runner', 0)]), t2);
  assert.equal(done.phase, 'Succeeded');
  assert.equal(done.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
});

test("termination messages share the kubelet's 12 KiB per pod: 4096 bytes each up to 3 containers, 12 KiB / n beyond", () => {
  assert.equal(terminationMessageLimit(1), 4096);
  assert.equal(terminationMessageLimit(3), 4096);
  assert.equal(terminationMessageLimit(4), 3072);
  assert.equal(terminationMessageLimit(12), 1024);
  const file = Buffer.from('x'.repeat(5000) + 'END');
  assert.equal(terminationMessage({ policy: 'File', exitCode: 0, file, logTail: Buffer.alloc(0) })?.length, 4096);
  const cut = terminationMessage({ policy: 'File', exitCode: 0, file, logTail: Buffer.alloc(0), maxBytes: terminationMessageLimit(12) });
  assert.equal(cut?.length, 1024);
  assert.ok(cut?.endsWith('END'), 'the last bytes are kept');
  const log = Buffer.from(Array.from({ length: 200 }, (_, i) => `line ${i} ${'y'.repeat(20)}`).join('\n') + '\n');
  const fromLog = terminationMessage({ policy: 'FallbackToLogsOnError', exitCode: 1, file: Buffer.alloc(0), logTail: log, maxBytes: 1024 });
  assert.ok(fromLog !== undefined && Buffer.byteLength(fromLog) <= 1024 && fromLog.endsWith('line 199 ' + 'y'.repeat(20) + '\n'));
});
