// Moves buffered records to object storage: a file when the queued bytes reach --flush-bytes or the oldest
// record is --flush-interval old, one PutObject per file (a reader never sees half a file), one upload at
// a time, each retried with exponential backoff and jitter until it succeeds or shutdown's deadline passes.
import { retryDelayMs, type RetryPolicy } from '../fetcher/retry.ts';
import type { AgentIdentity } from './args.ts';
import { logFileKey } from './layout.ts';
import type { Batch, LogBuffer } from './log-buffer.ts';

export const SINK_RETRY: RetryPolicy = { attempts: Number.POSITIVE_INFINITY, baseMs: 250, maxMs: 5000 };

export interface ShipperOptions {
  /** Writes one file under `bucket` (the SDK is loaded by the caller, on first use). */
  readonly put: (key: string, body: Buffer) => Promise<void>;
  readonly bucket: string;
  readonly base: string;
  readonly identity: AgentIdentity;
  readonly buffer: LogBuffer;
  readonly flushBytes: number;
  readonly flushIntervalMs: number;
  readonly onFlush: (result: 'ok' | 'error', records: number) => void;
  /** Records given up when shutdown's deadline passes before their upload succeeds. */
  readonly onGiveUp: (records: number) => void;
  readonly log: (line: string) => void;
  readonly retry?: RetryPolicy;
}

export class LogShipper {
  readonly #o: ShipperOptions;
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #deadline = Number.POSITIVE_INFINITY;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(options: ShipperOptions) {
    this.#o = options;
  }

  start(): void {
    // A cheap poll: the request path never calls into the shipper.
    const tick = Math.max(50, Math.min(1000, Math.floor(this.#o.flushIntervalMs / 4)));
    this.#timer = setInterval(() => this.#kick(false), tick);
    this.#timer.unref();
  }

  #due(force: boolean): boolean {
    const b = this.#o.buffer;
    const oldest = b.oldestMs;
    if (oldest === undefined) return false;
    return force || b.queuedBytes >= this.#o.flushBytes || Date.now() - oldest >= this.#o.flushIntervalMs;
  }

  #kick(force: boolean): void {
    if (this.#running !== undefined || !this.#due(force)) return;
    this.#running = this.#drain(force).finally(() => {
      this.#running = undefined;
    });
  }

  async #drain(force: boolean): Promise<void> {
    while (this.#due(force || this.#stopped)) {
      const batch = this.#o.buffer.take(this.#o.flushBytes);
      if (batch === undefined) return;
      try {
        await this.#upload(batch);
      } finally {
        this.#o.buffer.settle(batch);
      }
    }
  }

  async #upload(batch: Batch): Promise<void> {
    const now = Date.now();
    const key = logFileKey(this.#o.base, this.#o.identity, batch.firstMs, now, this.#seq++);
    const body = Buffer.allocUnsafe(batch.bytes);
    let at = 0;
    for (const line of batch.lines) {
      at += body.write(line.text, at);
      body[at++] = 0x0a;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#o.put(key, body);
        this.#o.onFlush('ok', batch.lines.length);
        return;
      } catch (err) {
        this.#o.onFlush('error', 0);
        const raw = err instanceof Error ? (err as { code?: unknown }).code : undefined;
        const code = typeof raw === 'string' ? raw : err instanceof Error ? err.name : 'error';
        const wait = retryDelayMs(this.#o.retry ?? SINK_RETRY, Math.min(attempt, 20), Math.random());
        if (attempt === 1 || attempt % 10 === 0) this.#o.log(`modelship-agent: upload of s3://${this.#o.bucket}/${key} failed (${code}), attempt ${attempt}; retrying`);
        if (Date.now() + wait > this.#deadline) {
          this.#o.log(`modelship-agent: gave up ${batch.lines.length} records at shutdown (s3://${this.#o.bucket}/${key})`);
          this.#o.onGiveUp(batch.lines.length);
          return;
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, wait);
          this.#wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    }
  }

  /** Flushes what is queued now (tests, shutdown); resolves once the queue is empty or the deadline passed. */
  async flush(deadlineMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.#deadline = deadlineMs;
    this.#wake?.();
    while (this.#o.buffer.records > 0 && Date.now() < deadlineMs) {
      if (this.#running === undefined) this.#kick(true);
      const running = this.#running;
      if (running === undefined) break;
      await running;
    }
    this.#deadline = Number.POSITIVE_INFINITY;
  }

  async stop(deadlineMs: number): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.flush(deadlineMs);
  }
}
