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
}

export interface PodRun {
  readonly podIP: string;
  readonly hostIP: string;
  readonly startTime: string;
  readonly init: readonly ContainerRun[];
  readonly main: readonly ContainerRun[];
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

/** Pending, Running, Succeeded or Failed, from the containers and the restart policy. */
export function podPhase(run: PodRun, restartPolicy: string): V1PodStatus['phase'] {
  const initFailed = run.init.some((c) => c.state.kind === 'terminated' && c.state.exitCode !== 0);
  if (initFailed && restartPolicy === 'Never') return 'Failed';
  if (!run.init.every(succeeded)) return 'Pending';
  if (run.main.some((c) => c.state.kind === 'running')) return 'Running';
  const ended = run.main.every((c) => c.state.kind === 'terminated');
  if (ended && run.main.length > 0) {
    if (run.main.every(succeeded)) return restartPolicy === 'Always' ? 'Running' : 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
  }
  // Waiting to (re)start: a container that ran before keeps the pod Running, as a kubelet's CrashLoopBackOff does.
  return run.main.some((c) => c.restartCount > 0 || c.lastTerminated !== undefined || c.state.kind === 'terminated') ? 'Running' : 'Pending';
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
  const initialized = run.init.every(succeeded);
  const containersReady = run.main.length > 0 && run.main.every((c) => c.ready);
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
}

/**
 * The message a kubelet puts into the terminated state: the termination-message file (its last 4096 bytes)
 * when not empty; otherwise, for FallbackToLogsOnError and a non-zero exit code, the log's last 80 lines,
 * at most 2048 bytes of them; otherwise nothing.
 */
export function terminationMessage(input: TerminationInput): string | undefined {
  if (input.file !== undefined && input.file.length > 0) return lastBytes(input.file, TERMINATION_MESSAGE_MAX_BYTES);
  if (input.policy !== 'FallbackToLogsOnError' || input.exitCode === 0) return undefined;
  const text = input.logTail.toString('utf8');
  const lines = text.split('\n');
  // A log ending in a newline has an empty last element: the 80 lines are those before it.
  const kept = lines.slice(-(TERMINATION_LOG_MAX_LINES + (text.endsWith('\n') ? 1 : 0))).join('\n');
  const message = lastBytes(Buffer.from(kept, 'utf8'), TERMINATION_LOG_MAX_BYTES);
  return message === '' ? undefined : message;
}
