// Leader election on a coordination.k8s.io/v1 Lease, following client-go's leaderelection (LeaseLock):
// - a candidate takes over only when the record it observed has not changed for leaseDuration,
//   measured on its own monotonic clock from when it saw the change, never from the remote timestamps
//   (clocks of different machines disagree);
// - every write carries the resourceVersion last read, so of two candidates racing, one gets 409;
// - the leader counts its leadership from the start of its last successful renewal and steps down
//   once renewDeadline has passed without another, which is before any candidate may take over
//   (renewDeadline < leaseDuration), so two candidates never both lead.
// Unlike client-go, a follower does not poll: it watches the Lease (lease-watch.ts) and tries when a
// release shows up, or when the record it observed expires by its own clock, so a released Lease is
// taken within a round trip and an abandoned one within leaseDuration of its last renewal (client-go:
// up to leaseDuration plus retryPeriod times 2.2 of jitter). Every request carries an AbortSignal with
// a deadline, so a stalled API server never holds the elector past it.
import { pino, type Logger } from 'pino';
import { isConflict, isNotFound } from './api-error.ts';
import type { ApiClient } from './api-client.ts';
import { recordOf, specOf, type Lease, type LeaseRecord } from './lease-record.ts';
import { RenewalRecorder, type LeaseLoss } from './lease-loss.ts';
import { watchLease } from './lease-watch.ts';
import { ProgressMonitor } from './progress-monitor.ts';
import { resourcePath } from './resource-paths.ts';
import { boundedTimeout, sleepUntilAborted } from './timer-delay.ts';

export { microTime } from './lease-record.ts';

export interface LeaderElectorOptions {
  /** A client of its own, with a small budget: renewals must never queue behind the controller's requests. */
  client: ApiClient;
  namespace: string;
  /** Name of the Lease. */
  name: string;
  /** Unique per candidate, e.g. the pod name. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  /** Called once when leadership ends: lost, released, or run() stopped. Stop reconciling at once. */
  onStoppedLeading: () => void;
  /** Called when the observed holder changes to a (non-empty) identity, this candidate included. */
  onNewLeader?: (identity: string) => void;
  logger?: Logger;
}

type Attempt = 'held' | 'other' | 'failed';

/** client-go's JitterFactor: after a failed attempt, waits between retryPeriod and 2.2 * retryPeriod. */
const ACQUIRE_JITTER = 1.2;
/** The least time between two attempts of a follower to acquire, whatever it observed. */
const MIN_ATTEMPT_GAP_MS = 100;

export class LeaderElector {
  private readonly options: LeaderElectorOptions;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly client: ApiClient;
  private readonly log: Logger;

  /** The Lease last read or written: its resourceVersion guards the next write. */
  private lease: Lease | undefined;
  private observed: LeaseRecord | undefined;
  private observedKey = '';
  /** Local monotonic time at which `observed` was last seen to change. */
  private observedAt = 0;
  private leading = false;
  /** Local monotonic time until which this candidate's leadership is certain. */
  private validUntil = 0;
  private reportedLeader = '';
  private stop: AbortController | undefined;
  private running: Promise<void> | undefined;
  /** Stops waiting for the request in flight when run() is stopped; read by call(). */
  private requestAbort: AbortSignal | undefined;
  /** Each finished attempt to acquire or renew, for /healthz. */
  private readonly progress = new ProgressMonitor();
  /** What the last loss of leadership looked like (lease-loss.ts); undefined until one. */
  lastLoss: LeaseLoss | undefined;
  private readonly renewals = new RenewalRecorder();
  /** Ends a follower's wait early; set while it waits (see waitForChance). */
  private wake: (() => void) | undefined;

  constructor(options: LeaderElectorOptions) {
    this.options = options;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs < 1000 || this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new RangeError('leader election: leaseDuration must be at least 1 s and greater than renewDeadline');
    }
    if (this.renewDeadlineMs <= ACQUIRE_JITTER * this.retryPeriodMs || this.retryPeriodMs <= 0) {
      throw new RangeError('leader election: renewDeadline must be greater than 1.2 * retryPeriod (> 0)');
    }
    if (!options.identity) throw new RangeError('leader election: identity must not be empty');
    this.log = (options.logger ?? pino({ enabled: false })).child({ lease: `${options.namespace}/${options.name}`, identity: options.identity });
    this.client = options.client;
  }

  /**
   * /healthz: while run() runs, an attempt to acquire or renew must finish, or a follower see the Lease
   * change through its watch, at least every 4 * leaseDuration (each request is aborted after its
   * deadline, and a follower whose watch shows nothing tries at the observed expiry, so only a wedged
   * loop misses it; an API server that does not answer is waited for, not a reason to restart).
   */
  health(): true | string {
    if (!this.running) return true;
    return this.progress.check('leader election', 4 * this.leaseDurationMs);
  }

  /** True while this candidate holds the Lease and its last renewal is within renewDeadline. */
  isLeader(): boolean {
    return this.leading && performance.now() < this.validUntil;
  }

  /**
   * Campaigns until elected, then renews until leadership ends; resolves when it ends or `signal`
   * aborts (an abort does not release the Lease: use release() for that). As with client-go, the
   * caller should exit after losing leadership; calling run() again starts a new campaign.
   */
  async run(signal?: AbortSignal): Promise<void> {
    if (this.running) throw new Error('leader election: run() is already running');
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    if (signal?.aborted) stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.stop = stop;
    this.requestAbort = stop.signal;
    this.progress.progressed();
    this.running = this.campaign(stop.signal).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      this.requestAbort = undefined;
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * Graceful shutdown: stops run() and, if leading, empties the Lease's holder (duration 1 s, as
   * client-go's ReleaseOnCancel) so another candidate takes over at once. Never throws.
   */
  async release(): Promise<void> {
    const wasLeading = this.leading;
    this.stop?.abort();
    await this.running;
    if (!wasLeading) return;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.write({ ...this.released(), leaseTransitions: this.observed?.leaseTransitions ?? 0 });
        this.log.info('released the lease');
        return;
      } catch (err) {
        // Our last renewal may have landed without us seeing the answer: reread and retry if still ours.
        if (!isConflict(err) || attempt > 0) break;
        const fresh = await this.call((signal) => this.client.request<Lease>('GET', this.path(true), { signal })).catch(() => undefined);
        if (fresh?.spec?.holderIdentity !== this.options.identity) return;
        this.lease = fresh;
      }
    }
    this.log.warn('could not release the lease; it expires after its duration');
  }

  private async campaign(stop: AbortSignal): Promise<void> {
    const watchStop = new AbortController();
    const stopWatch = (): void => watchStop.abort();
    stop.addEventListener('abort', stopWatch, { once: true });
    const watching = watchLease(
      {
        client: this.client,
        namespace: this.options.namespace,
        name: this.options.name,
        startVersion: () => this.lease?.metadata?.resourceVersion,
        onLease: (lease) => this.watched(lease),
        retryMs: this.retryPeriodMs,
        log: this.log,
      },
      watchStop.signal,
    );
    try {
      let lastAttempt = -Infinity;
      for (;;) {
        if (stop.aborted) return;
        // Never two attempts closer than MIN_ATTEMPT_GAP_MS: a Lease seen released (or expired) while an
        // attempt keeps failing would otherwise make a loop of requests with no pause at all.
        const gap = lastAttempt + MIN_ATTEMPT_GAP_MS - performance.now();
        if (gap > 0) await sleepUntilAborted(gap, stop);
        if (stop.aborted) return;
        lastAttempt = performance.now();
        const outcome = await this.tryAcquireOrRenew();
        this.reportNewLeader();
        if (outcome === 'held') break;
        await this.waitForChance(outcome === 'failed', stop);
      }
    } finally {
      // A leader learns of its Lease from its own writes; only a follower needs the watch.
      stopWatch();
      stop.removeEventListener('abort', stopWatch);
      await watching;
    }
    if (stop.aborted) return;
    this.leading = true;
    this.renewals.started();
    this.log.info('became leader');
    this.callback(this.options.onStartedLeading);
    try {
      await this.renewUntilLost(stop);
    } finally {
      this.stepDown();
    }
  }

  /**
   * A follower waits until the Lease it observed expires, or it is released (seen by the watch), or,
   * after a failed attempt, for a retry period with jitter; a renewal seen meanwhile moves the expiry.
   */
  private async waitForChance(failed: boolean, stop: AbortSignal): Promise<void> {
    const retryAt = failed ? performance.now() + this.retryPeriodMs * (1 + Math.random() * ACQUIRE_JITTER) : Infinity;
    while (!stop.aborted) {
      const expiresAt = this.observed && this.observed.holderIdentity !== '' ? this.observedExpiry() : failed ? Infinity : performance.now();
      const wait = Math.min(retryAt, expiresAt) - performance.now();
      if (wait <= 0) return;
      const woken = await new Promise<boolean>((resolve) => {
        const timer = boundedTimeout(() => done(false), wait);
        const done = (byWatch: boolean): void => {
          clearTimeout(timer);
          stop.removeEventListener('abort', onAbort);
          this.wake = undefined;
          resolve(byWatch);
        };
        const onAbort = (): void => done(false);
        stop.addEventListener('abort', onAbort, { once: true });
        this.wake = () => done(true);
      });
      if (!woken || this.takeable()) return;
      // A renewal seen through the watch is progress for /healthz: a follower of a healthy leader never
      // needs an attempt, and without this its verdict failed after 4 * leaseDuration of following.
      this.progress.progressed();
    }
  }

  /** A Lease seen by the watch: a follower takes it as a read, and tries at once if it was released. */
  private watched(lease: Lease): void {
    if (this.leading) return;
    this.lease = lease;
    this.observe(recordOf(lease));
    this.reportNewLeader();
    this.wake?.();
  }

  private takeable(): boolean {
    return !this.observed || this.observed.holderIdentity === '' || this.observed.holderIdentity === this.options.identity || !this.observedValid();
  }

  private async renewUntilLost(stop: AbortSignal): Promise<void> {
    for (;;) {
      await this.renewalPause(this.retryPeriodMs, stop);
      // Retry every retryPeriod until renewed, another holder shows up, or renewDeadline runs out.
      for (;;) {
        if (stop.aborted) return;
        const remaining = this.validUntil - performance.now();
        if (remaining <= 0) {
          this.lastLoss = this.renewals.loss('renew-deadline');
          this.log.warn(this.lastLoss, 'failed to renew the lease within renewDeadline');
          return;
        }
        const attemptStarted = performance.now();
        const outcome = await withTimeout(this.tryAcquireOrRenew(), remaining);
        this.renewals.attempted(performance.now() - attemptStarted, outcome === 'held');
        this.reportNewLeader();
        if (outcome === 'held') break;
        if (outcome === 'other') {
          this.lastLoss = this.renewals.loss('taken');
          this.log.warn({ holder: this.observed?.holderIdentity, ...this.lastLoss }, 'the lease was taken by another candidate');
          return;
        }
        await this.renewalPause(Math.min(this.retryPeriodMs, Math.max(0, this.validUntil - performance.now())), stop);
      }
    }
  }

  /** A wait of the renewal loop; how late it ends is event-loop delay for the step-down's figures. */
  private async renewalPause(ms: number, stop: AbortSignal): Promise<void> {
    const due = performance.now() + ms;
    await sleepUntilAborted(ms, stop);
    if (!stop.aborted) this.renewals.woke(performance.now() - due);
  }

  private async tryAcquireOrRenew(): Promise<Attempt> {
    try {
      return await this.attempt();
    } finally {
      this.progress.progressed();
    }
  }

  private async attempt(): Promise<Attempt> {
    const started = performance.now();
    const now = new Date();
    const desired: LeaseRecord = {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };

    // Fast path: the leader assumes its last write is still the current version.
    if (this.leading && this.observed && this.lease) {
      try {
        await this.write({ ...desired, acquireTime: this.observed.acquireTime, leaseTransitions: this.observed.leaseTransitions });
        this.renewed(started);
        return 'held';
      } catch (err) {
        this.log.debug({ err }, 'optimistic lease renewal failed; rereading');
      }
    }
    // A follower whose watch shows the Lease released or expired takes it without reading it again:
    // the write carries the version it saw, so a change since makes it a 409, then it rereads.
    if (!this.leading && this.observed && this.lease && this.observed.holderIdentity !== this.options.identity && this.takeable()) {
      try {
        await this.write({ ...desired, leaseTransitions: this.observed.leaseTransitions + 1 });
        this.renewed(started);
        return 'held';
      } catch (err) {
        this.log.debug({ err }, 'taking over the observed lease failed; rereading');
      }
    }

    let current: Lease;
    try {
      current = await this.call((signal) => this.client.request<Lease>('GET', this.path(true), { signal }));
    } catch (err) {
      if (!isNotFound(err)) {
        this.log.warn({ err }, 'could not read the lease');
        return 'failed';
      }
      try {
        await this.create(desired);
        this.renewed(started);
        return 'held';
      } catch (createErr) {
        if (isNotFound(createErr)) {
          this.log.error(
            `namespace ${this.options.namespace} does not exist, so the leader-election Lease cannot be created: create it, ` +
              'pass --leader-election-namespace, or run a single replica with --leader-elect=false',
          );
        } else {
          this.log.warn({ err: createErr }, 'could not create the lease');
        }
        return 'failed';
      }
    }

    this.lease = current;
    const record = recordOf(current);
    this.observe(record);
    const mine = record.holderIdentity === this.options.identity;
    if (!mine && record.holderIdentity !== '' && this.observedValid()) return 'other';

    try {
      await this.write(
        mine
          ? { ...desired, acquireTime: record.acquireTime, leaseTransitions: record.leaseTransitions }
          : { ...desired, leaseTransitions: record.leaseTransitions + 1 },
      );
      this.renewed(started);
      return 'held';
    } catch (err) {
      this.log.debug({ err }, mine ? 'could not renew the lease' : 'could not take over the lease');
      return 'failed';
    }
  }

  /** The observed record stays valid for leaseDurationSeconds after we saw it change. */
  private observedValid(): boolean {
    return performance.now() < this.observedExpiry();
  }

  private observedExpiry(): number {
    return this.observedAt + (this.observed?.leaseDurationSeconds ?? 0) * 1000;
  }

  private observe(record: LeaseRecord): void {
    const key = JSON.stringify(record);
    if (key === this.observedKey) return;
    this.observed = record;
    this.observedKey = key;
    this.observedAt = performance.now();
  }

  /** Leadership is certain for renewDeadline from the start of the request that renewed it. */
  private renewed(requestStarted: number): void {
    this.validUntil = requestStarted + this.renewDeadlineMs;
    this.renewals.renewed(this.validUntil);
  }

  private async create(record: LeaseRecord): Promise<void> {
    this.lease = await this.call((signal) =>
      this.client.request<Lease>('POST', this.path(false), {
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.options.name, namespace: this.options.namespace }, spec: specOf(record) },
        signal,
      }),
    );
    this.observe(record);
  }

  /** Replaces the Lease with the resourceVersion last seen: a 409 means someone else wrote first. */
  private async write(record: LeaseRecord): Promise<void> {
    const lease = this.lease;
    if (!lease?.metadata) throw new Error('no lease read yet');
    this.lease = await this.call((signal) =>
      this.client.request<Lease>('PUT', this.path(true), {
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: lease.metadata, spec: specOf(record) },
        signal,
      }),
    );
    this.observe(record);
  }

  private released(): Omit<LeaseRecord, 'leaseTransitions'> {
    const now = new Date();
    return { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now };
  }

  private stepDown(): void {
    if (!this.leading) return;
    this.leading = false;
    this.validUntil = 0;
    this.renewals.stopped();
    this.log.info('stopped leading');
    this.callback(this.options.onStoppedLeading);
  }

  private reportNewLeader(): void {
    const holder = this.observed?.holderIdentity ?? '';
    if (holder === '' || holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    this.log.info({ leader: holder }, 'new leader observed');
    const onNewLeader = this.options.onNewLeader;
    if (onNewLeader) this.callback(() => onNewLeader(holder));
  }

  private callback(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'leader election callback threw');
    }
  }

  private path(named: boolean): string {
    return resourcePath({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: this.options.namespace, ...(named ? { name: this.options.name } : {}) });
  }

  /**
   * A request, cancelled at its deadline or when run() stops, so a hung request never outlives the
   * leadership it was meant to keep: the caller goes on with a rejection, and an answer arriving
   * later is dropped (it never updates `lease` or `observed`).
   */
  private call<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(this.requestDeadlineMs())));
    const signal = this.requestAbort ? AbortSignal.any([timeout, this.requestAbort]) : timeout;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(new Error(signal.reason instanceof Error ? signal.reason.message : 'lease request abandoned', { cause: signal.reason }));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      send(signal)
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /**
   * A leader's request may take what is left of its leadership; a follower's a retry period (at least
   * 1 s, at most renewDeadline), so that once a stalled API server answers again it is asked at once.
   */
  private requestDeadlineMs(): number {
    if (this.leading) return this.validUntil - performance.now();
    return Math.min(this.renewDeadlineMs, Math.max(1000, this.retryPeriodMs));
  }
}


/** The attempt's outcome, or 'failed' once `ms` pass (the attempt goes on, but no longer counts). */
function withTimeout(attempt: Promise<Attempt>, ms: number): Promise<Attempt> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Attempt>((resolve) => {
    timer = boundedTimeout(() => resolve('failed'), ms);
  });
  return Promise.race([attempt, timeout]).finally(() => clearTimeout(timer));
}
