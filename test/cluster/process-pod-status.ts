// The pure half of the process runtime's status writes: a Pod's status as a kubelet would write it, from
// what the runtime knows about each container's process. Conditions keep their lastTransitionTime while
// their status does not change, so a status write with nothing new is a no-op the runtime can skip.
import type { V1ContainerState, V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';

export type ContainerState =
  | { readonly kind: 'waiting'; readonly reason: string; readonly message?: string }
  | { readonly kind: 'running'; readonly startedAt: string }
  | { readonly kind: 'terminated'; readonly exitCode: number; readonly reason: string; readonly startedAt: string; readonly finishedAt: string; readonly signal?: number; readonly message?: string };

export interface ContainerRun {
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
  /** The previous run's end, when the container was restarted. */
  readonly lastTerminated?: Extract<ContainerState, { kind: 'terminated' }>;
  readonly restartCount: number;
  readonly ready: boolean;
  /** Started as a kubelet means it: the startup probe (if any) has passed. */
  readonly started: boolean;
  /** An init container with restartPolicy Always (a native sidecar): it runs beside the main containers. */
  readonly sidecar?: boolean;
}

export interface PodRun {
  readonly podIP: string;
  readonly hostIP: string;
  readonly startTime: string;
  readonly init: readonly ContainerRun[];
  readonly main: readonly ContainerRun[];
  /** The pod got past its init containers once (a sidecar restarting later does not make it Pending again). */
  readonly initialized?: boolean;
}

/** Kubernetes' reason for a terminated container: Completed for 0, Error otherwise (OOMKilled never happens here). */
export function terminatedReason(exitCode: number): string {
  return exitCode === 0 ? 'Completed' : 'Error';
}

/** The exit code a kubelet reports for a process killed by a signal: 128 + the signal's number. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15 };
  return 128 + (signal ? (numbers[signal] ?? 0) : 0);
}

function containerState(state: ContainerState): V1ContainerState {
  switch (state.kind) {
    case 'waiting':
      return { waiting: { reason: state.reason, ...(state.message !== undefined ? { message: state.message } : {}) } };
    case 'running':
      return { running: { startedAt: new Date(state.startedAt) } };
    case 'terminated':
      return {
        terminated: {
          exitCode: state.exitCode,
          reason: state.reason,
          startedAt: new Date(state.startedAt),
          finishedAt: new Date(state.finishedAt),
          ...(state.signal !== undefined ? { signal: state.signal } : {}),
          ...(state.message !== undefined ? { message: state.message } : {}),
        },
      };
  }
}

function containerStatus(run: ContainerRun, podUid: string): V1ContainerStatus {
  return {
    name: run.name,
    image: run.image,
    imageID: '',
    ...(run.state.kind === 'waiting' && run.restartCount === 0 && !run.lastTerminated ? {} : { containerID: `process://${podUid}/${run.name}/${run.restartCount}` }),
    state: containerState(run.state),
    lastState: run.lastTerminated ? containerState(run.lastTerminated) : {},
    ready: run.ready,
    restartCount: run.restartCount,
    started: run.started && run.state.kind === 'running',
  };
}

const succeeded = (c: ContainerRun) => c.state.kind === 'terminated' && c.state.exitCode === 0;

/** Regular init containers all completed and every sidecar started, or the pod got that far before. */
export function podInitialized(run: PodRun): boolean {
  if (run.initialized === true) return true;
  if (run.main.some((c) => c.state.kind !== 'waiting' || c.lastTerminated !== undefined || c.restartCount > 0)) return true;
  return run.init.every((c) => (c.sidecar === true ? c.state.kind === 'running' && c.started : succeeded(c)));
}

/**
 * Pending, Running, Succeeded or Failed, from the containers and the restart policy, as the kubelet's getPhase
 * counts them: a running sidecar keeps the pod Running, a terminated one does not count.
 */
export function podPhase(run: PodRun, restartPolicy: string): V1PodStatus['phase'] {
  const regular = run.init.filter((c) => c.sidecar !== true);
  const sidecars = run.init.filter((c) => c.sidecar === true);
  let pendingRegular = 0;
  let failedInit = 0;
  for (const c of regular) {
    if (c.state.kind === 'terminated') {
      if (c.state.exitCode !== 0) failedInit++;
    } else if (c.state.kind === 'waiting' && c.lastTerminated) {
      if (c.lastTerminated.exitCode !== 0) failedInit++;
    } else pendingRegular++;
  }
  let pendingSidecars = 0;
  let running = 0;
  for (const c of sidecars) {
    if (c.state.kind === 'running') {
      if (!c.started) pendingSidecars++;
      running++;
    } else if (c.state.kind === 'waiting' && !c.lastTerminated) pendingSidecars++;
  }
  let stopped = 0;
  let ok = 0;
  let waiting = 0;
  for (const c of run.main) {
    if (c.state.kind === 'running') running++;
    else if (c.state.kind === 'terminated') {
      stopped++;
      if (c.state.exitCode === 0) ok++;
    } else if (c.lastTerminated) stopped++;
    // Waiting to restart after a run (a kubelet's CrashLoopBackOff) counts as stopped, so the pod stays Running.
    else waiting++;
  }
  if (failedInit > 0 && restartPolicy === 'Never') return 'Failed';
  if (pendingRegular > 0 || failedInit > 0 || (pendingSidecars > 0 && !podInitialized(run))) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (restartPolicy === 'Always') return 'Running';
    if (ok === stopped) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, previous: readonly V1PodCondition[], now: string, reason?: string): V1PodCondition {
  const status = ok ? 'True' : 'False';
  const before = previous.find((c) => c.type === type);
  const lastTransitionTime = before && before.status === status && before.lastTransitionTime ? before.lastTransitionTime : new Date(now);
  return { type, status, lastTransitionTime, ...(!ok && reason ? { reason } : {}), ...(before?.lastProbeTime ? { lastProbeTime: before.lastProbeTime } : {}) };
}

/** The status to write for the pod (the `previous` status keeps unchanged conditions' transition times). */
export function podStatus(pod: V1Pod, run: PodRun, now: string): V1PodStatus {
  const previous = pod.status?.conditions ?? [];
  const uid = pod.metadata?.uid ?? '';
  const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
  const phase = podPhase(run, restartPolicy);
  const initialized = podInitialized(run);
  // A kubelet counts sidecars' readiness too (they are what the main containers talk to).
  const containersReady = run.main.length > 0 && run.main.every((c) => c.ready) && run.init.every((c) => c.sidecar !== true || c.ready);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  return {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', true, previous, now),
      condition('Initialized', initialized, previous, now, 'ContainersNotInitialized'),
      condition('Ready', containersReady && !terminal, previous, now, terminal ? 'PodCompleted' : 'ContainersNotReady'),
      condition('ContainersReady', containersReady && !terminal, previous, now, terminal ? 'PodCompleted' : 'ContainersNotReady'),
      condition('PodScheduled', true, previous, now),
    ],
    hostIP: run.hostIP,
    hostIPs: [{ ip: run.hostIP }],
    podIP: run.podIP,
    podIPs: [{ ip: run.podIP }],
    startTime: new Date(run.startTime),
    qosClass: pod.status?.qosClass ?? 'BestEffort',
    ...(run.init.length > 0 ? { initContainerStatuses: run.init.map((c) => containerStatus(c, uid)) } : {}),
    containerStatuses: run.main.map((c) => containerStatus(c, uid)),
  };
}

/** True when two statuses say the same (Dates compared by value): the runtime then skips the write. */
export function sameStatus(a: V1PodStatus | undefined, b: V1PodStatus): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b);
}

/** A kubelet reads at most this much of a termination-message file (its last bytes). */
export const TERMINATION_MESSAGE_MAX_BYTES = 4096;
/** A kubelet's budget for all of a pod's termination messages, shared equally by its (init and main) containers. */
export const POD_TERMINATION_MESSAGES_MAX_BYTES = 12 * 1024;

/** The bytes one container's message may have: 4096, or less when the pod's 12 KiB are shared by more than 3. */
export function terminationMessageLimit(containers: number): number {
  return Math.min(TERMINATION_MESSAGE_MAX_BYTES, Math.floor(POD_TERMINATION_MESSAGES_MAX_BYTES / Math.max(containers, 1)));
}

/** FallbackToLogsOnError: the log's last lines, at most this many ... */
export const TERMINATION_LOG_MAX_LINES = 80;
/** ... and at most this many bytes of them (the kubelet's circular buffer keeps the last bytes). */
export const TERMINATION_LOG_MAX_BYTES = 2048;

/** The last `max` bytes of `data` as text (a split character at the cut becomes U+FFFD, as Go's string does not care). */
function lastBytes(data: Buffer, max: number): string {
  return data.subarray(Math.max(data.length - max, 0)).toString('utf8');
}

export interface TerminationInput {
  /** terminationMessagePolicy: File (the default) or FallbackToLogsOnError. */
  readonly policy: string | undefined;
  readonly exitCode: number;
  /** The termination-message file's content, undefined when it does not exist. */
  readonly file: Buffer | undefined;
  /** The end of the container's log (enough bytes for 80 lines of 2048 bytes in all). */
  readonly logTail: Buffer;
  /** This container's share of the pod's budget (terminationMessageLimit); default 4096. */
  readonly maxBytes?: number;
}

/**
 * The message a kubelet puts into the terminated state: the termination-message file (its last 4096 bytes)
 * when not empty; otherwise, for FallbackToLogsOnError and a non-zero exit code, the log's last 80 lines,
 * at most 2048 bytes of them; otherwise nothing. Both are cut to the container's share of the pod's 12 KiB.
 */
export function terminationMessage(input: TerminationInput): string | undefined {
  const max = Math.min(input.maxBytes ?? TERMINATION_MESSAGE_MAX_BYTES, TERMINATION_MESSAGE_MAX_BYTES);
  if (input.file !== undefined && input.file.length > 0) return lastBytes(input.file, max);
  if (input.policy !== 'FallbackToLogsOnError' || input.exitCode === 0) return undefined;
  const text = input.logTail.toString('utf8');
  const lines = text.split('\n');
  // A log ending in a newline has an empty last element: the 80 lines are those before it.
  const kept = lines.slice(-(TERMINATION_LOG_MAX_LINES + (text.endsWith('\n') ? 1 : 0))).join('\n');
  const message = lastBytes(Buffer.from(kept, 'utf8'), Math.min(TERMINATION_LOG_MAX_BYTES, max));
  return message === '' ? undefined : message;
}
