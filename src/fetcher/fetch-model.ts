// One fetch: the source listed, each object downloaded into the staging folder (a single archive unpacked
// there after its sha256 is checked), then the staging folder put in place; on any failure nothing is.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { archiveKind, entryPath } from './archive-paths.ts';
import { prepareDestination, type Staging } from './destination.ts';
import { download, FetchCounter, type OpenedBody } from './download.ts';
import { extractArchive } from './extract.ts';
import { FetchFailure } from './failure.ts';
import { openHttps } from './https-source.ts';
import { listS3, openS3, s3Client } from './s3-source.ts';
import { s3Settings } from './s3-settings.ts';
import { objectFileName, type FetchPlan } from './plan.ts';
import { PROGRESS_INTERVAL_MS, progressLine, formatBytes } from './progress.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';

export interface FetchResult {
  readonly files: number;
  readonly bytes: number;
}

export interface FetchOutcome extends FetchResult {
  /** The last line logged: `modelship-fetch: done: ...`. */
  readonly doneLine: string;
}

export interface FetchEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: (line: string) => void;
  readonly retry?: RetryPolicy;
}

/** Objects downloaded at once from a folder prefix. */
const CONCURRENCY = 4;

async function single(plan: FetchPlan, staging: Staging, name: string, open: () => Promise<OpenedBody>, counter: FetchCounter, env: FetchEnvironment): Promise<FetchResult> {
  const retry = env.retry ?? DEFAULT_RETRY;
  const kind = plan.unpack ? archiveKind(name) : undefined;
  const file = kind !== undefined ? staging.scratch : join(staging.dir, name === '' ? 'model' : name);
  counter.totalFiles = 1;
  const got = await download({ what: plan.uri, file, open, counter, retry, hash: plan.sha256 !== undefined, log: env.log });
  if (plan.sha256 !== undefined && got.sha256 !== plan.sha256) {
    throw new FetchFailure('ChecksumMismatch', `${plan.uri}: sha256 is ${got.sha256}, expected ${plan.sha256}`);
  }
  counter.files = 1;
  if (kind === undefined) return { files: 1, bytes: got.bytes };
  env.log(`modelship-fetch: unpacking ${name} (${kind}, ${formatBytes(got.bytes)})`);
  const unpacked = await extractArchive(kind, file, staging.dir, plan.uri, { maxBytes: plan.maxBytes, maxEntries: plan.maxEntries });
  return { files: unpacked.files, bytes: unpacked.bytes };
}

async function fetchInto(plan: FetchPlan, staging: Staging, counter: FetchCounter, env: FetchEnvironment): Promise<FetchResult> {
  const retry = env.retry ?? DEFAULT_RETRY;
  if (plan.source.kind === 'https') {
    return single(plan, staging, objectFileName(new URL(plan.source.url).pathname), openHttps(plan.source.url), counter, env);
  }
  const { bucket, key } = plan.source;
  const client = s3Client(s3Settings(env.env));
  try {
    const listing = await listS3(client, bucket, key, plan.maxEntries, retry, env.log);
    if (listing.kind === 'object') {
      if (listing.object.size !== undefined) counter.totalBytes = listing.object.size;
      return await single(plan, staging, objectFileName(key), openS3(client, bucket, key), counter, env);
    }
    if (plan.sha256 !== undefined) throw new FetchFailure('InvalidArguments', `${plan.uri}: --sha256 applies to a single object, and this is a prefix of ${listing.objects.length} objects`);
    const total = listing.objects.reduce((sum, o) => sum + (o.size ?? 0), 0);
    if (total > plan.maxBytes) throw new FetchFailure('TooLarge', `${plan.uri}: ${total} bytes under the prefix, more than the cap of ${plan.maxBytes}`);
    counter.totalBytes = total;
    counter.totalFiles = listing.objects.length;
    const files = listing.objects.map((o) => {
      const rel = entryPath(o.key.slice(listing.prefix.length));
      if (!rel.ok || rel.path === '') throw new FetchFailure('UnsafeArchive', `${plan.uri}: object key '${o.key}' ${rel.ok ? 'names the prefix itself' : rel.why}`);
      return { key: o.key, path: rel.path };
    });
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const { key: objectKey, path } = files[next++]!;
        const file = join(staging.dir, path);
        await mkdir(dirname(file), { recursive: true });
        await download({ what: `s3://${bucket}/${objectKey}`, file, open: openS3(client, bucket, objectKey), counter, retry, hash: false, log: env.log });
        counter.files += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
    return { files: files.length, bytes: counter.bytes };
  } finally {
    client.destroy();
  }
}

export async function fetchModel(plan: FetchPlan, env: FetchEnvironment): Promise<FetchOutcome> {
  const started = Date.now();
  const counter = new FetchCounter(plan.maxBytes);
  env.log(`modelship-fetch: fetching ${plan.uri} into ${plan.dest}`);
  const staging = await prepareDestination(plan.dest);
  const ticker = setInterval(() => {
    env.log(progressLine({ bytes: counter.bytes, totalBytes: counter.totalBytes, files: counter.files, totalFiles: counter.totalFiles, elapsedMs: Date.now() - started }));
  }, PROGRESS_INTERVAL_MS);
  try {
    const result = await fetchInto(plan, staging, counter, env);
    await staging.commit();
    const seconds = (Date.now() - started) / 1000;
    const doneLine = `modelship-fetch: done: ${result.files} file(s), ${formatBytes(result.bytes)} in ${seconds.toFixed(2)}s`;
    env.log(doneLine);
    return { ...result, doneLine };
  } catch (err) {
    await staging.discard().catch(() => undefined);
    throw err;
  } finally {
    clearInterval(ticker);
  }
}
