// One shard of a batch run: read its records, score them in order with a bounded number of requests in
// flight, commit its part files and marker, and finalize the run when every shard's marker is there.
import { withRetry } from '../fetcher/download.ts';
import { DEFAULT_RETRY } from '../fetcher/retry.ts';
import type { BatchPlan } from './args.ts';
import { scoreWithBisection, type Scored } from './bisect.ts';
import { BatchFailure } from './exit-codes.ts';
import { errorsKey, FAILED_KEY, finalizeRun, MANIFEST_KEY, markerJson, markerKey, parseMarker, partKey, type ShardMarker, type WrittenFile } from './manifest.ts';
import { InFlightLimit } from './in-flight-limit.ts';
import { inferOnce, waitReady } from './model-server.ts';
import { readShard, type InputRecord, type Position } from './read-input.ts';
import { truncateRaw } from './records.ts';
import type { PartWriter, Store } from './storage.ts';

export const PROGRESS_INTERVAL_MS = 5000;

/**
 * Batches read and sent per request slot (--concurrency): one at the model server, one built and waiting
 * for the slot (in-flight-limit.ts), so the server's next request goes out as an answer comes in.
 */
const BATCHES_PER_SLOT = 2;

export interface BatchResult {
  readonly records: number;
  readonly scored: number;
  readonly failed: number;
  readonly manifest: boolean;
}

interface Counts {
  records: number;
  scored: number;
  failed: number;
}

export function progressLine(c: Counts, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  return `modelship-batch: progress read ${c.records}, scored ${c.scored}, failed ${c.failed}, ${((c.scored + c.failed) / seconds).toFixed(1)} records/s, ${Math.round(seconds)}s`;
}

/** A scored record's output line, keys in this order: file, offset or row, prediction. */
const outputLine = (p: Position, prediction: unknown) => ('offset' in p ? { file: p.file, offset: p.offset, prediction } : { file: p.file, row: p.row, prediction });

const position = (r: InputRecord) => ('offset' in r.position ? { file: r.position.file, offset: r.position.offset } : { file: r.position.file, row: r.position.row });

export async function runShard(plan: BatchPlan, input: Store, output: Store, log: (line: string) => void): Promise<BatchResult> {
  const started = Date.now();
  const counts: Counts = { records: 0, scored: 0, failed: 0 };
  const timer = setInterval(() => log(progressLine(counts, Date.now() - started)), PROGRESS_INTERVAL_MS);
  timer.unref();
  log(`modelship-batch: shard ${plan.shard} of ${plan.shards}, ${plan.input.uri} (${plan.format}) to ${plan.output.uri}`);
  await waitReady(plan.server, plan.readyTimeoutMs, log);
  let modelVersion: string | undefined = plan.modelVersion;
  const what = `${plan.server} model ${plan.model}`;
  const limit = new InFlightLimit(plan.concurrency);
  const infer = async (rows: readonly (readonly number[])[]) => {
    const call = await withRetry(what, DEFAULT_RETRY, log, () => inferOnce(plan.server, plan.model, plan.modelVersion, rows, limit));
    modelVersion ??= call.modelVersion;
    return call.outcome;
  };

  const part = output.writer(partKey(plan.shard));
  let errors: PartWriter | undefined;
  const queue: { records: InputRecord[]; results: Promise<Scored[]> }[] = [];
  let batch: InputRecord[] = [];
  let good = 0;

  const score = (records: InputRecord[]): Promise<Scored[]> => {
    const rows: number[][] = [];
    for (const r of records) if (r.parsed.ok) rows.push(r.parsed.row);
    return scoreWithBisection(rows, infer).then((scored) => {
      let next = 0;
      return records.map((r): Scored => (r.parsed.ok ? scored[next++]! : { ok: false, reason: r.parsed.reason }));
    });
  };
  // A batch's lines go out as one write: a write (copy, hash, stream) per line cost more than the line.
  // They are joined into one string: appended one by one they made a tree of pieces, copied again to be written.
  const writeHead = async () => {
    const head = queue.shift()!;
    const results = await head.results;
    const { records } = head;
    const lines: string[] = [];
    let bad = '';
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const res = results[i]!;
      if (res.ok) {
        lines.push(JSON.stringify(outputLine(r.position, res.prediction)));
        counts.scored++;
      } else {
        bad += `${JSON.stringify({ ...position(r), reason: res.reason, record: truncateRaw(r.raw) })}\n`;
        counts.failed++;
      }
    }
    if (lines.length > 0) {
      lines.push(''); // the last line's newline
      await part.write(lines.join('\n'));
    }
    if (bad !== '') {
      errors ??= output.writer(errorsKey(plan.shard));
      await errors.write(bad);
    }
    if (counts.failed > plan.maxFailedRecords) {
      throw new BatchFailure('TooManyBadRecords', `shard ${plan.shard}: more than --max-failed-records ${plan.maxFailedRecords} bad records`);
    }
  };
  const dispatch = async () => {
    if (batch.length === 0) return;
    const results = score(batch);
    results.catch(() => undefined); // awaited in order by writeHead
    queue.push({ records: batch, results });
    batch = [];
    good = 0;
    while (queue.length >= plan.concurrency * BATCHES_PER_SLOT) await writeHead();
  };

  try {
    for await (const records of readShard(input, plan.format, plan.shards, plan.shard)) {
      for (const record of records) {
        counts.records++;
        batch.push(record);
        if (record.parsed.ok) good++;
        if (good >= plan.batchSize || batch.length >= plan.batchSize * 4) await dispatch();
      }
    }
    await dispatch();
    while (queue.length > 0) await writeHead();
    if (counts.records !== counts.scored + counts.failed) {
      throw new BatchFailure('Internal', `shard ${plan.shard}: ${counts.records} records read but ${counts.scored} scored and ${counts.failed} failed`);
    }
    const partFile = await part.commit();
    let errorsFile: WrittenFile | null = null;
    if (errors !== undefined) errorsFile = await errors.commit();
    const marker: ShardMarker = {
      shard: plan.shard, shards: plan.shards, records: counts.records, scored: counts.scored, failed: counts.failed,
      parts: [partFile], errors: errorsFile, modelVersion: modelVersion ?? null, finishedAt: new Date().toISOString(),
    };
    await output.putSmall(markerKey(plan.shard), markerJson(marker));
  } catch (err) {
    await part.abort();
    await errors?.abort();
    await Promise.allSettled(queue.map((q) => q.results));
    throw err;
  } finally {
    clearInterval(timer);
  }
  log(progressLine(counts, Date.now() - started));
  const manifest = await finalize(plan, output, log);
  return { ...counts, manifest };
}

/** Writes `_manifest.json` (or `_failed.json`) once every shard's marker is in the run folder. */
async function finalize(plan: BatchPlan, output: Store, log: (line: string) => void): Promise<boolean> {
  const keys = (await output.listKeys('_shards/')).filter((k) => /^_shards\/\d+\.json$/.test(k));
  if (keys.length < plan.shards) {
    log(`modelship-batch: ${keys.length} of ${plan.shards} shards done; the last one writes the manifest`);
    return false;
  }
  const markers: ShardMarker[] = [];
  for (const key of keys) {
    const text = await output.getSmall(key);
    const marker = text === undefined ? undefined : parseMarker(text);
    if (marker !== undefined) markers.push(marker);
  }
  const outcome = finalizeRun(plan.run, plan.model, plan.shards, plan.maxFailedRecords, markers);
  if (outcome.kind === 'incomplete') {
    log(`modelship-batch: shards ${outcome.missing.join(', ')} not done yet; the last one writes the manifest`);
    return false;
  }
  if (outcome.kind === 'failed') {
    await output.putSmall(FAILED_KEY, outcome.json);
    throw new BatchFailure('TooManyBadRecords', `run ${plan.run}: ${outcome.failed} bad records, more than --max-failed-records ${plan.maxFailedRecords}`);
  }
  await output.putSmall(MANIFEST_KEY, outcome.json);
  log(`modelship-batch: run ${plan.run} complete: ${outcome.records} records, ${outcome.scored} scored, ${outcome.failed} failed`);
  return true;
}
