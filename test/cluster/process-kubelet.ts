// The process runtime: a small kubelet for one Node of its own whose pods really run, as local processes in
// the pod network's namespace (pod-network.ts). kwok keeps every other pod (it manages only nodes annotated
// kwok.x-k8s.io/node=fake; this node is not), and the pod simulator skips pods on this node.
//
// Decisions:
// - Chosen pods: the node carries the label and a NoSchedule taint PROCESS_NODE_LABEL=process, so the real
//   scheduler puts a pod here only when its template selects the label and tolerates the taint
//   (processPodPlacement; a ModelDeployment sets them through spec.runtime.nodeSelector and tolerations).
// - The node is kept Ready like a kubelet keeps it: its Ready condition's heartbeat and a Lease in
//   kube-node-lease renewed every 10 s.
// - Per pod: an IP from the top of the pod /16 (x.y.254.1-254; kwok hands addresses out from x.y.0.1 up),
//   added as a /32 to the namespace; a folder <dir>/pods/<namespace>_<name>_<uid> with one folder per volume
//   and the containers' logs; init containers one after the other, then the main containers, each as
//   `ip netns exec <namespace> <program> <args>` (process-pod-plan.ts maps image, paths and environment).
// - Probes are the pod's own (httpGet and tcpSocket against the pod IP, from the host; exec probes are not
//   run and count as passing): a startup probe gates readiness and liveness, readiness sets the containers'
//   and the pod's Ready, liveness failures restart the container.
// - Restarts follow restartPolicy with a kubelet's doubling back-off, but from 1 s up to 30 s (a kubelet's
//   10 s to 5 min would make crash-loop tests slow); restartCount and lastState are written. A failed init
//   container is retried unless restartPolicy is Never, which fails the pod, as on a kubelet.
// - Native sidecars (KEP-753): an init container with restartPolicy Always is started in its turn, and the
//   next init container starts once it has started (its startup probe passed); it keeps running, with its
//   probes, and is restarted with back-off whenever it exits while the pod runs. When every main container of
//   a Never/OnFailure pod has ended for good, the sidecars are stopped (the last one first, SIGTERM then
//   SIGKILL at the grace period) and the main containers alone decide Succeeded or Failed.
// - Deletion: preStop sleep (the only preStop handler run), SIGTERM to the container's process group, SIGKILL
//   when the grace period ends (main containers first, then the sidecars in reverse order, in one grace
//   period), then the pod is deleted with grace 0, as a kubelet confirms a deletion.
// - Termination messages as a kubelet writes them: each run's terminationMessagePath is an empty file of the
//   pod's folder (termination/<container>-<restart>, mapped like a mount path); after exit its last 4096
//   bytes, or for FallbackToLogsOnError with a non-zero exit and an empty file the log's last 80 lines (at
//   most 2048 bytes), become state.terminated.message (and lastState's after a restart), each cut to its
//   share of the pod's 12 KiB (4096 bytes up to 3 containers, 12 KiB / n beyond).
// - Status is written whole through the status subresource (merge patch), only when it changed.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequestRaw } from 'node:https';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { CoreV1Api, KubeConfig, makeInformer, type V1Container, type V1Pod, type V1PodStatus, type V1Probe } from '@kubernetes/client-node';
import { ManagedProcess } from './managed-process.ts';
import { RUNTIME_DIR_VARIABLE, type PodNetwork } from './pod-network.ts';
import { kubernetesVersion } from './control-plane.ts';
import {
  CONFIG_ERROR,
  IMAGE_NOT_RUNNABLE,
  PROCESS_NODE_LABEL,
  PROCESS_NODE_PREFIX,
  PROCESS_NODE_VALUE,
  findImageRule,
  processPlan,
  volumeFolders,
  type ImageRule,
  type PodObjects,
  type VolumeFolder,
} from './process-pod-plan.ts';
import {
  TERMINATION_LOG_MAX_BYTES,
  TERMINATION_LOG_MAX_LINES,
  TERMINATION_MESSAGE_MAX_BYTES,
  exitCodeOf,
  podStatus,
  terminationMessageLimit,
  terminatedReason,
  terminationMessage,
  type ContainerRun,
  type ContainerState,
} from './process-pod-status.ts';

export interface ProcessKubeletOptions {
  readonly kubeconfig: string;
  readonly network: PodNetwork;
  /** Folder for the pods' folders and logs. */
  readonly dir: string;
  readonly rules: readonly ImageRule[];
  /** Called before a container of this image first starts (e.g. makes the Python environment). */
  readonly prepareImage?: (rule: ImageRule) => Promise<void>;
  /** Default `process-node-0`. */
  readonly nodeName?: string;
}

export interface ProcessKubelet {
  readonly nodeName: string;
  /** The runtime's own log (pods started, status writes that failed). */
  readonly logFile: string;
  /** The last lines of each container's log of a pod (for failing tests). */
  logs(namespace: string, name: string, lines?: number): string;
  /**
   * Sends a signal to a container's process group, as something outside the pod would (the OOM killer, a
   * crash): the runtime then treats the exit like any other. False when the container has no live process.
   */
  kill(namespace: string, podName: string, containerName: string, signal: NodeJS.Signals): boolean;
  /** The process id of a container's current run, undefined when it has no live process. */
  containerPid(namespace: string, podName: string, containerName: string): number | undefined;
  stop(): Promise<void>;
}

/** What a pod template needs to run on the process node. */
export const processPodPlacement = {
  nodeSelector: { [PROCESS_NODE_LABEL]: PROCESS_NODE_VALUE },
  tolerations: [{ key: PROCESS_NODE_LABEL, operator: 'Equal', value: PROCESS_NODE_VALUE, effect: 'NoSchedule' }],
} as const;

/** processPodPlacement as fresh, mutable fields of a ModelDeployment's spec.runtime (or a pod spec). */
export const processNodePlacement = () => ({
  nodeSelector: { ...processPodPlacement.nodeSelector },
  tolerations: processPodPlacement.tolerations.map((t) => ({ ...t })),
});

const HEARTBEAT_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;

interface Api {
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: string }>;
}

function apiOf(kc: KubeConfig): Api {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster) throw new Error('process kubelet: the kubeconfig has no cluster');
  const ca = cluster.caData ? Buffer.from(cluster.caData, 'base64') : cluster.caFile ? readFileSync(cluster.caFile) : undefined;
  return {
    call(method, path, body, contentType = 'application/json') {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = httpsRequestRaw(
          `${cluster.server}${path}`,
          {
            method,
            headers: {
              accept: 'application/json',
              ...(user?.token ? { authorization: `Bearer ${user.token}` } : {}),
              ...(payload !== undefined ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) } : {}),
            },
            ...(ca ? { ca } : {}),
            timeout: 15_000,
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
        req.on('error', reject);
        req.end(payload);
      });
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const nowIso = () => new Date().toISOString();

interface Slot {
  readonly container: V1Container;
  readonly init: boolean;
  state: ContainerState;
  lastTerminated: Extract<ContainerState, { kind: 'terminated' }> | undefined;
  restartCount: number;
  ready: boolean;
  started: boolean;
  proc: ManagedProcess | undefined;
  /** Set when the runtime kills the process itself (liveness, deletion). */
  killedBy: string | undefined;
  /** This run's termination-message file. */
  terminationFile: string | undefined;
  /** An init container with restartPolicy Always: a native sidecar, supervised beside the main containers. */
  readonly sidecar: boolean;
  /** Set when the runtime stops the container for good (a sidecar after the main containers ended). */
  halted: boolean;
}

/** The last `max` bytes of a file, or undefined when it does not exist or cannot be read. */
function readTail(file: string, max: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, max);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function slotRun(s: Slot): ContainerRun {
  return { name: s.container.name, image: s.container.image ?? '', state: s.state, lastTerminated: s.lastTerminated, restartCount: s.restartCount, ready: s.ready, started: s.started, sidecar: s.sidecar };
}

function portOf(container: V1Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/** What a kubelet of the control plane's version sends: kube-probe/<major>.<minor>. A function: control-plane.ts
 * imports this module, so its constants are not initialised while this one loads. */
const probeUserAgent = (): string => `kube-probe/${kubernetesVersion.replace(/^v/, '').split('.').slice(0, 2).join('.')}`;

/** One probe: true on success (HTTP 200-399, a TCP connection); exec probes are not run (true). */
async function probeOnce(probe: V1Probe, container: V1Container, ip: string): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = portOf(container, probe.httpGet.port);
    if (port === undefined) return false;
    try {
      // A kubelet's probe headers: its User-Agent (servers and modelship's agent tell probes from traffic by it)
      // and the probe's own httpHeaders, which replace a default of the same name.
      const headers: Record<string, string> = { 'user-agent': probeUserAgent(), accept: '*/*' };
      for (const h of probe.httpGet.httpHeaders ?? []) headers[h.name.toLowerCase()] = h.value;
      const res = await fetch(`http://${ip}:${port}${probe.httpGet.path ?? '/'}`, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      await res.body?.cancel();
      return res.status >= 200 && res.status < 400;
    } catch {
      return false;
    }
  }
  if (probe.tcpSocket) {
    const port = portOf(container, probe.tcpSocket.port);
    if (port === undefined) return false;
    return new Promise((resolve) => {
      const socket = connect({ host: ip, port, timeout: timeoutMs });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
  }
  return true;
}

class PodWorker {
  pod: V1Pod;
  readonly key: string;
  readonly dir: string;
  readonly slots: Slot[];
  ip = '';
  private startTime = nowIso();
  private stopping = false;
  private gone = false;
  private lastWritten: V1PodStatus | undefined;
  /** The main containers were started once: a sidecar restarting later does not make the pod Pending. */
  private initialized = false;
  private lastWrittenJson = '';
  private writing: Promise<void> | undefined;
  private writeAgain = false;
  /** Pending waits, ended early (resolved) when the pod stops. */
  private readonly timers = new Map<ReturnType<typeof setTimeout>, () => void>();
  /** Running preStop sleeps, ended early only when the pod is killed at once (killNow). */
  private readonly preStops = new Map<ReturnType<typeof setTimeout>, () => void>();
  private readonly kubelet: Kubelet;
  readonly done: Promise<void>;
  /** Set once the pod is being deleted. */
  terminating: Promise<void> | undefined;

  constructor(kubelet: Kubelet, pod: V1Pod) {
    this.kubelet = kubelet;
    this.pod = pod;
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    this.key = `${ns}/${name}`;
    this.dir = join(kubelet.dir, 'pods', `${ns}_${name}_${(pod.metadata?.uid ?? '').slice(0, 8)}`);
    const slot = (container: V1Container, init: boolean): Slot => ({
      container,
      init,
      state: { kind: 'waiting', reason: init ? 'PodInitializing' : pod.spec?.initContainers?.length ? 'PodInitializing' : 'ContainerCreating' },
      lastTerminated: undefined,
      restartCount: 0,
      ready: false,
      started: false,
      proc: undefined,
      killedBy: undefined,
      terminationFile: undefined,
      sidecar: init && container.restartPolicy === 'Always',
      halted: false,
    });
    this.slots = [...(pod.spec?.initContainers ?? []).map((c) => slot(c, true)), ...(pod.spec?.containers ?? []).map((c) => slot(c, false))];
    this.done = this.run().catch((err: unknown) => this.kubelet.log(`${this.key}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
  }

  private get restartPolicy(): string {
    return this.pod.spec?.restartPolicy ?? 'Always';
  }

  logFile(slot: Slot): string {
    return join(this.dir, 'logs', `${slot.container.name}-${slot.restartCount}.log`);
  }

  private async run(): Promise<void> {
    // By uid: a new pod of the same name (a StatefulSet's) gets its own address while the old one stops.
    this.ip = this.kubelet.allocateIp(this.pod.metadata?.uid ?? this.key);
    await this.kubelet.network.addAddress(this.ip);
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
    mkdirSync(join(this.dir, 'home'), { recursive: true });
    mkdirSync(join(this.dir, 'work'), { recursive: true });
    this.startTime = nowIso();
    this.markDirty();
    const prepared = await this.prepare();
    if (!prepared) return;
    const { folders, objects } = prepared;
    const sidecars: Promise<void>[] = [];
    try {
      // Init containers in order; a sidecar is started and the next one starts once it has started (its
      // startup probe passed), while it keeps running and restarting beside the rest (KEP-753).
      for (const slot of this.slots.filter((s) => s.init)) {
        if (slot.sidecar) {
          sidecars.push(this.supervise(slot, folders, objects));
          await this.startedOrStopping(slot);
          if (this.stopping) return;
          continue;
        }
        const ok = await this.runInit(slot, folders, objects);
        if (!ok || this.stopping) return;
      }
      this.initialized = true;
      for (const slot of this.slots.filter((s) => !s.init)) slot.state = { kind: 'waiting', reason: 'ContainerCreating' };
      this.markDirty();
      // Each main container's supervision ends when it has ended for good (never with restartPolicy Always).
      await Promise.all(this.slots.filter((s) => !s.init).map((s) => this.supervise(s, folders, objects)));
    } finally {
      // The main containers are done (or an init container failed a Never pod): the sidecars are stopped, the
      // last one first, so the pod can end; their own exits do not decide its phase.
      if (!this.stopping) await this.stopSidecars();
      await Promise.all(sidecars);
    }
  }

  private async startedOrStopping(slot: Slot): Promise<void> {
    while (!this.stopping && !(slot.started && slot.state.kind === 'running')) await this.wait(50);
  }

  /** Stops the running sidecars in reverse order: SIGTERM, SIGKILL when the pod's grace period ends. */
  private async stopSidecars(graceSeconds = this.pod.spec?.terminationGracePeriodSeconds ?? 30): Promise<void> {
    const deadline = Date.now() + graceSeconds * 1000;
    const sidecars = this.slots.filter((s) => s.sidecar).reverse();
    for (const s of sidecars) s.halted = true;
    this.endWaits();
    for (const s of sidecars) await this.kill(s, Math.max((deadline - Date.now()) / 1000, 0.001), false);
  }

  /** Reads what the volumes and environment refer to and makes the volume folders; retried until it works. */
  private async prepare(): Promise<{ folders: VolumeFolder[]; objects: PodObjects } | undefined> {
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        const objects = await this.kubelet.podObjects(this.pod);
        const folders = volumeFolders(this.pod.spec?.volumes ?? [], this.dir, objects, this.pod);
        if (!folders.ok) throw Object.assign(new Error(folders.message), { reason: folders.reason });
        for (const f of folders.value) {
          if (f.kind === 'dir' && f.create) mkdirSync(f.hostPath, { recursive: true });
          if (f.kind === 'files') {
            mkdirSync(f.hostPath, { recursive: true });
            for (const [path, content] of Object.entries(f.files)) {
              const file = join(f.hostPath, path);
              mkdirSync(dirname(file), { recursive: true });
              writeFileSync(file, content);
            }
          }
        }
        return { folders: folders.value, objects };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const first = this.slots.find((s) => s.state.kind === 'waiting');
        if (first) first.state = { kind: 'waiting', reason: CONFIG_ERROR, message };
        this.markDirty();
        await this.wait(Math.min(1000 * 2 ** attempt, MAX_BACKOFF_MS));
      }
    }
    return undefined;
  }

  private endWaits(): void {
    for (const [timer, resolve] of this.timers) {
      clearTimeout(timer);
      resolve();
    }
    this.timers.clear();
  }

  private wait(ms: number, slot?: Slot): Promise<void> {
    if (this.stopping || slot?.halted === true) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }

  /** Starts the container's process; false (and a waiting reason) when it cannot run. */
  private async start(slot: Slot, folders: readonly VolumeFolder[], objects: PodObjects): Promise<boolean> {
    const rule = findImageRule(this.kubelet.rules, slot.container.image ?? '');
    if (rule) {
      try {
        await this.kubelet.prepare(rule);
      } catch (err) {
        slot.state = { kind: 'waiting', reason: IMAGE_NOT_RUNNABLE, message: `preparing image ${slot.container.image ?? ''}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 1000) };
        this.markDirty();
        return false;
      }
      if (this.stopping) return false;
    }
    // A new, empty termination-message file per run, as a kubelet mounts one per container instance.
    slot.terminationFile = join(this.dir, 'termination', `${slot.container.name}-${slot.restartCount}`);
    mkdirSync(dirname(slot.terminationFile), { recursive: true });
    writeFileSync(slot.terminationFile, '');
    // The host's address is known here before the pod's status carries it (status.hostIP in env).
    const pod: V1Pod = { ...this.pod, status: { ...this.pod.status, hostIP: this.kubelet.network.hostAddress } };
    const plan = processPlan({ pod, container: slot.container, rules: this.kubelet.rules, folders, objects, podIP: this.ip, terminationFile: slot.terminationFile });
    if (!plan.ok) {
      slot.state = { kind: 'waiting', reason: plan.reason, message: plan.message };
      this.markDirty();
      return false;
    }
    if (!existsSync(plan.value.command)) {
      slot.state = { kind: 'waiting', reason: IMAGE_NOT_RUNNABLE, message: `${plan.value.command} does not exist` };
      this.markDirty();
      return false;
    }
    const env: NodeJS.ProcessEnv = {
      PATH: `${dirname(plan.value.command)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      HOME: join(this.dir, 'home'),
      HOSTNAME: this.pod.metadata?.name ?? '',
      LANG: 'C.UTF-8',
      ...plan.value.env,
      // Lets the pod network's sweep find this process if the test process dies without stopping it.
      [RUNTIME_DIR_VARIABLE]: this.kubelet.dir,
    };
    slot.killedBy = undefined;
    slot.proc = new ManagedProcess({
      name: `${this.key}/${slot.container.name}`,
      command: 'ip',
      args: ['netns', 'exec', this.kubelet.network.namespace, plan.value.command, ...plan.value.args],
      env,
      cwd: plan.value.cwd ?? join(this.dir, 'work'),
      logFile: this.logFile(slot),
    });
    this.kubelet.network.recordProcess(slot.proc.pid);
    slot.state = { kind: 'running', startedAt: nowIso() };
    this.markDirty();
    return true;
  }

  /** Waits for the process to end and records how; returns the exit code. */
  private async ended(slot: Slot): Promise<number> {
    const proc = slot.proc;
    if (!proc) return 0;
    await proc.exited$;
    const status = proc.exitStatus ?? { code: null, signal: null };
    const exitCode = exitCodeOf(status.code, status.signal);
    const startedAt = slot.state.kind === 'running' ? slot.state.startedAt : nowIso();
    const written = terminationMessage({
      policy: slot.container.terminationMessagePolicy,
      exitCode,
      file: slot.terminationFile !== undefined ? readTail(slot.terminationFile, TERMINATION_MESSAGE_MAX_BYTES) : undefined,
      // A kubelet shares 12 KiB among the pod's containers.
      maxBytes: terminationMessageLimit(this.slots.length),
      // Enough of the log for 80 lines of 2048 bytes in all, whatever the lines' lengths.
      logTail: readTail(this.logFile(slot), TERMINATION_LOG_MAX_BYTES + TERMINATION_LOG_MAX_LINES) ?? Buffer.alloc(0),
    });
    // A kubelet appends the container's own message to its reason for ending it: "<reason>: <message>".
    const message = [slot.killedBy, written].filter((m) => m !== undefined && m !== '').join(': ');
    slot.state = { kind: 'terminated', exitCode, reason: terminatedReason(exitCode), startedAt, finishedAt: nowIso(), ...(message !== '' ? { message } : {}) };
    slot.ready = false;
    slot.started = false;
    slot.proc = undefined;
    this.markDirty();
    return exitCode;
  }

  private async backoff(slot: Slot, attempt: number): Promise<void> {
    if (slot.state.kind === 'terminated') slot.lastTerminated = slot.state;
    slot.state = { kind: 'waiting', reason: 'CrashLoopBackOff', message: `back-off restarting failed container ${slot.container.name}` };
    this.markDirty();
    await this.wait(Math.min(1000 * 2 ** attempt, MAX_BACKOFF_MS), slot);
    slot.restartCount++;
  }

  private async runInit(slot: Slot, folders: readonly VolumeFolder[], objects: PodObjects): Promise<boolean> {
    for (let attempt = 0; !this.stopping; attempt++) {
      if (!(await this.start(slot, folders, objects))) {
        await this.wait(Math.min(1000 * 2 ** attempt, MAX_BACKOFF_MS));
        continue;
      }
      const code = await this.ended(slot);
      if (code === 0) return true;
      if (this.stopping || this.restartPolicy === 'Never') return false;
      await this.backoff(slot, attempt);
    }
    return false;
  }

  private async supervise(slot: Slot, folders: readonly VolumeFolder[], objects: PodObjects): Promise<void> {
    for (let attempt = 0; !this.stopping && !slot.halted; attempt++) {
      if (!(await this.start(slot, folders, objects))) {
        await this.wait(Math.min(1000 * 2 ** attempt, MAX_BACKOFF_MS), slot);
        continue;
      }
      const probes = this.probe(slot);
      const code = await this.ended(slot);
      probes.abort();
      if (this.stopping || slot.halted) return;
      // A sidecar is restarted whatever the pod's restartPolicy, as long as the pod runs.
      const restart = slot.sidecar || this.restartPolicy === 'Always' || (this.restartPolicy === 'OnFailure' && code !== 0);
      if (!restart) return;
      // A run that lasted a while resets the back-off, as a kubelet's does after 10 minutes.
      await this.backoff(slot, code === 0 ? 0 : attempt);
    }
  }

  /** Runs the container's probes while its process lives. */
  private probe(slot: Slot): AbortController {
    const controller = new AbortController();
    const { signal } = controller;
    const c = slot.container;
    const loop = async (probe: V1Probe, onResult: (ok: boolean, successes: number, failures: number) => boolean | void) => {
      await this.wait((probe.initialDelaySeconds ?? 0) * 1000);
      let successes = 0;
      let failures = 0;
      while (!signal.aborted && !this.stopping) {
        const ok = await probeOnce(probe, c, this.ip);
        if (signal.aborted) return;
        successes = ok ? successes + 1 : 0;
        failures = ok ? 0 : failures + 1;
        if (onResult(ok, successes, failures) === true) return;
        await this.wait((probe.periodSeconds ?? 10) * 1000);
      }
    };
    const restart = (why: string) => {
      slot.killedBy = why;
      void this.kill(slot, this.pod.spec?.terminationGracePeriodSeconds ?? 30, false);
    };
    const afterStartup = () => {
      slot.started = true;
      this.markDirty();
      if (c.readinessProbe) {
        const probe = c.readinessProbe;
        void loop(probe, (_ok, successes, failures) => {
          const ready = successes >= (probe.successThreshold ?? 1) ? true : failures >= (probe.failureThreshold ?? 3) ? false : slot.ready;
          if (ready !== slot.ready) {
            slot.ready = ready;
            this.markDirty();
          }
        });
      } else {
        slot.ready = true;
        this.markDirty();
      }
      if (c.livenessProbe) {
        const probe = c.livenessProbe;
        void loop(probe, (_ok, _s, failures) => {
          if (failures < (probe.failureThreshold ?? 3)) return false;
          restart('liveness probe failed');
          return true;
        });
      }
    };
    if (c.startupProbe) {
      const probe = c.startupProbe;
      void loop(probe, (ok, _s, failures) => {
        if (ok) {
          afterStartup();
          return true;
        }
        if (failures >= (probe.failureThreshold ?? 3)) {
          restart('startup probe failed');
          return true;
        }
        return false;
      });
    } else afterStartup();
    return controller;
  }

  /** SIGTERM to the container's process group (after its preStop sleep), SIGKILL when the grace period ends. */
  private async kill(slot: Slot, graceSeconds: number, preStop: boolean): Promise<void> {
    const proc = slot.proc;
    if (!proc) return;
    const started = Date.now();
    const sleepSeconds = preStop ? (slot.container.lifecycle?.preStop?.sleep?.seconds ?? 0) : 0;
    if (sleepSeconds > 0 && !this.gone) await this.preStopSleep(Math.min(sleepSeconds, graceSeconds) * 1000);
    const left = Math.max(graceSeconds * 1000 - (Date.now() - started), 0);
    await proc.stop(Math.max(left, 1));
  }

  private preStopSleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.preStops.delete(timer);
        resolve();
      }, ms);
      this.preStops.set(timer, resolve);
    });
  }

  /** The pod is being deleted: stop every container within the grace period, then confirm with a delete at grace 0. */
  async terminate(pod: V1Pod): Promise<void> {
    this.pod = pod;
    if (this.stopping) return;
    this.stopping = true;
    this.endWaits();
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    const deadline = Date.now() + grace * 1000;
    // The main containers first (and an init container still running), then the sidecars, the last one first,
    // within the same grace period.
    await Promise.all(this.slots.filter((s) => !s.sidecar).map((s) => this.kill(s, grace, !s.init)));
    for (const s of this.slots.filter((x) => x.sidecar).reverse()) await this.kill(s, Math.max((deadline - Date.now()) / 1000, 0.001), true);
    await this.done;
    // Killed at once meanwhile (the pod left the API, or the runtime stops, maybe with the API server):
    // killNow cleans up, and there is nothing to confirm.
    if (this.gone) return;
    this.markDirty();
    await this.flush();
    const res = await this.kubelet.api.call('DELETE', `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`, {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      preconditions: { uid: pod.metadata?.uid },
    });
    if (res.status >= 300 && res.status !== 404 && res.status !== 409) this.kubelet.log(`${this.key}: confirming deletion: ${res.status} ${res.body}`);
    await this.cleanUp();
  }

  /** The pod is gone from the API (or the runtime stops): kill at once. */
  async killNow(graceMs = 5000): Promise<void> {
    this.gone = true;
    this.stopping = true;
    this.endWaits();
    for (const [timer, resolve] of this.preStops) {
      clearTimeout(timer);
      resolve();
    }
    this.preStops.clear();
    await Promise.all(this.slots.map((s) => s.proc?.stop(graceMs) ?? Promise.resolve()));
    await this.done;
    await this.cleanUp();
  }

  private async cleanUp(): Promise<void> {
    // The address is free for another pod only once it is off the interface.
    if (this.ip) await this.kubelet.network.removeAddress(this.ip);
    this.kubelet.releaseIp(this.pod.metadata?.uid ?? this.key);
    rmSync(join(this.dir, 'volumes'), { recursive: true, force: true });
  }

  markDirty(): void {
    if (this.gone) return;
    if (this.writing) {
      this.writeAgain = true;
      return;
    }
    this.writing = (async () => {
      // Changes made in the same turn go out in one write, as a kubelet's sync does: a container started
      // without a readiness probe is running and ready together, never running and not ready.
      await new Promise((resolve) => setImmediate(resolve));
      do {
        this.writeAgain = false;
        try {
          await this.writeStatus();
        } catch (err) {
          this.kubelet.log(`${this.key}: status write: ${err instanceof Error ? err.message : String(err)}`);
          await sleep(1000);
          this.writeAgain = !this.gone;
        }
      } while (this.writeAgain && !this.gone);
      this.writing = undefined;
    })();
  }

  private async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async writeStatus(): Promise<void> {
    if (!this.ip) return;
    const run = {
      podIP: this.ip,
      hostIP: this.kubelet.network.hostAddress,
      startTime: this.startTime,
      init: this.slots.filter((s) => s.init).map(slotRun),
      main: this.slots.filter((s) => !s.init).map(slotRun),
      initialized: this.initialized,
    };
    const status = podStatus({ ...this.pod, status: this.lastWritten ?? this.pod.status }, run, nowIso());
    const json = JSON.stringify(status);
    if (json === this.lastWrittenJson) return;
    const res = await this.kubelet.api.call(
      'PATCH',
      `/api/v1/namespaces/${this.pod.metadata?.namespace}/pods/${this.pod.metadata?.name}/status`,
      // The uid is a precondition: a new pod of the same name is not this one.
      { metadata: { uid: this.pod.metadata?.uid }, status },
      'application/merge-patch+json',
    );
    if (res.status === 404 || res.status === 409) {
      this.gone = true;
      return;
    }
    if (res.status >= 300) throw new Error(`${res.status} ${res.body.slice(0, 300)}`);
    this.lastWritten = status;
    this.lastWrittenJson = json;
  }
}

class Kubelet {
  readonly dir: string;
  readonly network: PodNetwork;
  readonly rules: readonly ImageRule[];
  readonly api: Api;
  readonly core: CoreV1Api;
  private readonly prepareImage: ((rule: ImageRule) => Promise<void>) | undefined;
  private readonly prepared = new Map<ImageRule, Promise<void>>();
  private readonly ips = new Map<string, string>();
  private readonly logFile: string;

  constructor(options: ProcessKubeletOptions, kc: KubeConfig) {
    this.dir = options.dir;
    this.network = options.network;
    this.rules = options.rules;
    this.api = apiOf(kc);
    this.core = kc.makeApiClient(CoreV1Api);
    this.prepareImage = options.prepareImage;
    this.logFile = join(options.dir, 'process-kubelet.log');
  }

  log(line: string): void {
    writeFileSync(this.logFile, `${nowIso()} ${line}\n`, { flag: 'a' });
  }

  prepare(rule: ImageRule): Promise<void> {
    let p = this.prepared.get(rule);
    if (!p) {
      p = this.prepareImage ? this.prepareImage(rule) : Promise.resolve();
      // A failed preparation is tried again by the next container start.
      p.catch(() => this.prepared.delete(rule));
      this.prepared.set(rule, p);
    }
    return p;
  }

  /** An address from x.y.254.1-254 of the pod /16, which kwok (from x.y.0.1 up) does not reach in tests. */
  allocateIp(key: string): string {
    const held = this.ips.get(key);
    if (held) return held;
    const [a, b] = this.network.cidr.split('.');
    const used = new Set(this.ips.values());
    for (let i = 1; i < 255; i++) {
      const ip = `${a}.${b}.254.${i}`;
      if (!used.has(ip)) {
        this.ips.set(key, ip);
        return ip;
      }
    }
    throw new Error('process kubelet: no pod address left');
  }

  releaseIp(key: string): void {
    this.ips.delete(key);
  }

  /** The claims, ConfigMaps and Secrets the pod's volumes and environment name (missing ones left out). */
  async podObjects(pod: V1Pod): Promise<PodObjects> {
    const namespace = pod.metadata?.namespace ?? '';
    const spec = pod.spec;
    const claims: Record<string, string> = {};
    const configMaps: Record<string, Record<string, string>> = {};
    const secrets: Record<string, Record<string, string>> = {};
    const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
    const configMapNames = new Set<string>();
    const secretNames = new Set<string>();
    for (const v of spec?.volumes ?? []) {
      if (v.configMap?.name) configMapNames.add(v.configMap.name);
      if (v.secret?.secretName) secretNames.add(v.secret.secretName);
      for (const source of v.projected?.sources ?? []) {
        if (source.configMap?.name) configMapNames.add(source.configMap.name);
        if (source.secret?.name) secretNames.add(source.secret.name);
      }
      if (v.persistentVolumeClaim) {
        const claim = await this.core.readNamespacedPersistentVolumeClaim({ namespace, name: v.persistentVolumeClaim.claimName });
        const volumeName = claim.spec?.volumeName;
        if (claim.status?.phase === 'Bound' && volumeName) {
          const pv = await this.core.readPersistentVolume({ name: volumeName });
          if (pv.spec?.hostPath?.path) claims[v.persistentVolumeClaim.claimName] = pv.spec.hostPath.path;
        }
      }
    }
    for (const c of containers) {
      for (const f of c.envFrom ?? []) {
        if (f.configMapRef?.name) configMapNames.add(f.configMapRef.name);
        if (f.secretRef?.name) secretNames.add(f.secretRef.name);
      }
      for (const e of c.env ?? []) {
        if (e.valueFrom?.configMapKeyRef?.name) configMapNames.add(e.valueFrom.configMapKeyRef.name);
        if (e.valueFrom?.secretKeyRef?.name) secretNames.add(e.valueFrom.secretKeyRef.name);
      }
    }
    const absent = (err: unknown) => {
      if (/404|not found/i.test(String(err))) return undefined;
      throw err;
    };
    for (const name of configMapNames) {
      const cm = await this.core.readNamespacedConfigMap({ namespace, name }).catch(absent);
      if (cm) configMaps[name] = { ...(cm.data ?? {}) };
    }
    for (const name of secretNames) {
      const secret = await this.core.readNamespacedSecret({ namespace, name }).catch(absent);
      if (secret) secrets[name] = Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    }
    return { claims, configMaps, secrets };
  }
}

function nodeObject(name: string, hostAddress: string, now: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'process', [PROCESS_NODE_LABEL]: PROCESS_NODE_VALUE },
    },
    spec: { taints: [{ key: PROCESS_NODE_LABEL, value: PROCESS_NODE_VALUE, effect: 'NoSchedule' }] },
    status: {
      allocatable: { cpu: '8', memory: '16Gi', pods: '50' },
      capacity: { cpu: '8', memory: '16Gi', pods: '50' },
      addresses: [
        { type: 'InternalIP', address: hostAddress },
        { type: 'Hostname', address: name },
      ],
      conditions: readyConditions(now),
      nodeInfo: { kubeletVersion: 'process-runtime', containerRuntimeVersion: 'process://', architecture: 'amd64', operatingSystem: 'linux', bootID: '', kernelVersion: '', kubeProxyVersion: '', machineID: '', osImage: '', systemUUID: '' },
    },
  };
}

function readyConditions(now: string): unknown[] {
  return [
    { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'process runtime is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now },
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: '', lastHeartbeatTime: now, lastTransitionTime: now },
    { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: '', lastHeartbeatTime: now, lastTransitionTime: now },
    { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: '', lastHeartbeatTime: now, lastTransitionTime: now },
  ];
}

/** Registers the node, keeps it Ready, and runs the pods the scheduler binds to it. */
export async function startProcessKubelet(options: ProcessKubeletOptions): Promise<ProcessKubelet> {
  const nodeName = options.nodeName ?? `${PROCESS_NODE_PREFIX}0`;
  mkdirSync(options.dir, { recursive: true });
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const kubelet = new Kubelet(options, kc);
  const { api } = kubelet;
  const started = nowIso();
  const created = await api.call('POST', '/api/v1/nodes', nodeObject(nodeName, options.network.hostAddress, started));
  if (created.status !== 201 && created.status !== 409) throw new Error(`process kubelet: creating node ${nodeName}: ${created.status} ${created.body}`);
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${nodeName}`;
  const microNow = () => new Date().toISOString().replace('Z', '000Z');
  const heartbeat = async () => {
    const now = new Date().toISOString();
    await api.call('PATCH', `/api/v1/nodes/${nodeName}/status`, { status: { conditions: readyConditions(now).map((c) => ({ ...(c as object), lastTransitionTime: started })) } }, 'application/strategic-merge-patch+json');
    const lease = await api.call('PATCH', leasePath, { spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: microNow() } }, 'application/merge-patch+json');
    if (lease.status === 404) {
      await api.call('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: nodeName, namespace: 'kube-node-lease' },
        spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: microNow() },
      });
    }
  };
  await heartbeat();
  const ticker = setInterval(() => void heartbeat().catch((err: unknown) => kubelet.log(`heartbeat: ${String(err)}`)), HEARTBEAT_MS);

  const workers = new Map<string, PodWorker>();
  const informer = makeInformer<V1Pod>(kc, '/api/v1/pods', () => kubelet.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` }));
  let stopped = false;
  const onPod = (pod: V1Pod) => {
    if (stopped || pod.spec?.nodeName !== nodeName) return;
    const uid = pod.metadata?.uid ?? '';
    let worker = workers.get(uid);
    if (!worker) {
      // A pod that ended before this runtime saw it (a restart of the harness) is left as it is.
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      if (pod.metadata?.deletionTimestamp) {
        void api.call('DELETE', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid } });
        return;
      }
      worker = new PodWorker(kubelet, pod);
      workers.set(uid, worker);
      kubelet.log(`${worker.key}: started on ${worker.ip || 'a new address'}`);
      return;
    }
    if (!pod.metadata?.deletionTimestamp) worker.pod = pod;
    else if (!worker.terminating) {
      const w = worker;
      // Never rejects: a failed confirmation is logged (an unhandled rejection would fail the test file).
      w.terminating = w
        .terminate(pod)
        .catch((err: unknown) => kubelet.log(`${w.key}: terminating: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          if (workers.get(uid) === w) workers.delete(uid);
        });
    }
  };
  informer.on('add', onPod);
  informer.on('update', onPod);
  informer.on('delete', (pod) => {
    const uid = pod.metadata?.uid ?? '';
    const worker = workers.get(uid);
    if (!worker) return;
    workers.delete(uid);
    void worker.killNow();
  });
  informer.on('error', () => {
    if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 1000);
  });
  await informer.start();

  const liveProcess = (namespace: string, podName: string, containerName: string) => {
    // The newest worker of that name (a replaced pod of the same name is a new worker).
    const worker = [...workers.values()].reverse().find((w) => w.key === `${namespace}/${podName}`);
    const proc = worker?.slots.find((s) => s.container.name === containerName)?.proc;
    return proc?.running === true ? proc : undefined;
  };
  return {
    nodeName,
    logFile: join(options.dir, 'process-kubelet.log'),
    kill(namespace, podName, containerName, signal) {
      const proc = liveProcess(namespace, podName, containerName);
      if (!proc) return false;
      proc.killNow(signal);
      return true;
    },
    containerPid(namespace, podName, containerName) {
      return liveProcess(namespace, podName, containerName)?.pid;
    },
    logs(namespace, name, lines = 40) {
      const worker = [...workers.values()].find((w) => w.key === `${namespace}/${name}`);
      if (!worker) return `(no pod ${namespace}/${name} on ${nodeName})`;
      return worker.slots
        .map((s) => {
          let text = '';
          try {
            text = readFileSync(worker.logFile(s), 'utf8').split('\n').slice(-lines - 1).join('\n');
          } catch {
            /* not started */
          }
          return `----- ${worker.key} ${s.container.name} (restarts ${s.restartCount}) -----\n${text}`;
        })
        .join('\n');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(ticker);
      await informer.stop().catch(() => undefined);
      const all = [...workers.values()];
      await Promise.all(all.map((w) => w.killNow()));
      // A pod that was terminating ends its termination too, before the API server may stop.
      await Promise.all(all.map((w) => w.terminating ?? Promise.resolve()));
      workers.clear();
      await api.call('DELETE', `/api/v1/nodes/${nodeName}`).catch(() => undefined);
    },
  };
}
