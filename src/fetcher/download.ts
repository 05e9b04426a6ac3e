// One object streamed to a file: counted against the byte cap, hashed on the way when a sha256 is to be
// checked, started again from scratch on a transient failure (retry.ts).
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeBatched } from './batched-write.ts';
import { classifySourceError, FetchFailure } from './failure.ts';
import { retryDelayMs, shouldRetry, type RetryPolicy } from './retry.ts';

/** Shared by every download of one fetch: the progress line reads it, the byte cap is checked against it. */
export class FetchCounter {
  bytes = 0;
  files = 0;
  totalBytes: number | undefined;
  totalFiles: number | undefined;
  readonly maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }
}

export interface OpenedBody {
  readonly body: AsyncIterable<Uint8Array>;
  /** Content length, when the source said. */
  readonly size?: number | undefined;
}

export interface DownloadOptions {
  /** The URI of the object, for messages. */
  readonly what: string;
  readonly file: string;
  readonly open: () => Promise<OpenedBody>;
  readonly counter: FetchCounter;
  readonly retry: RetryPolicy;
  readonly hash: boolean;
  readonly log: (line: string) => void;
}

export interface Downloaded {
  readonly bytes: number;
  readonly sha256?: string | undefined;
}

function tooLarge(what: string, max: number): FetchFailure {
  return new FetchFailure('TooLarge', `${what}: the model is larger than the cap of ${max} bytes`);
}

async function attempt(options: DownloadOptions): Promise<Downloaded> {
  const { counter } = options;
  const opened = await options.open();
  if (opened.size !== undefined && counter.bytes + opened.size > counter.maxBytes) throw tooLarge(options.what, counter.maxBytes);
  const hash = options.hash ? createHash('sha256') : undefined;
  let bytes = 0;
  try {
    await writeBatched(
      (async function* () {
        for await (const chunk of opened.body) {
          bytes += chunk.length;
          counter.bytes += chunk.length;
          if (counter.bytes > counter.maxBytes) throw tooLarge(options.what, counter.maxBytes);
          hash?.update(chunk);
          yield chunk;
        }
      })(),
      options.file,
    );
  } catch (err) {
    counter.bytes -= bytes;
    throw err;
  }
  if (opened.size !== undefined && bytes !== opened.size) {
    counter.bytes -= bytes;
    throw new FetchFailure('Unavailable', `${options.what}: the body ended after ${bytes} of ${opened.size} bytes`, true);
  }
  return { bytes, sha256: hash?.digest('hex') };
}

export async function download(options: DownloadOptions): Promise<Downloaded> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(options);
    } catch (err) {
      const failure = classifySourceError(err, options.what);
      await rm(options.file, { force: true });
      if (!shouldRetry(options.retry, n, failure.transient)) throw failure;
      const wait = retryDelayMs(options.retry, n, Math.random());
      options.log(`modelship-fetch: attempt ${n} of ${options.retry.attempts} failed: ${failure.message}; trying again in ${wait} ms`);
      await sleep(wait);
    }
  }
}

/** Runs `call` under the retry policy (for listing and other requests without a body). */
export async function withRetry<T>(what: string, retry: RetryPolicy, log: (line: string) => void, call: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await call();
    } catch (err) {
      const failure = classifySourceError(err, what);
      if (!shouldRetry(retry, n, failure.transient)) throw failure;
      const wait = retryDelayMs(retry, n, Math.random());
      log(`modelship-fetch: attempt ${n} of ${retry.attempts} failed: ${failure.message}; trying again in ${wait} ms`);
      await sleep(wait);
    }
  }
}
