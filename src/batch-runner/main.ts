// `modelship batch ...`: one shard of a batch scoring run, the main container of one pod of an Indexed
// Job. Logs go to stderr; the last line (and the termination message) is `{"scored":N,"failed":M,"records":R}`
// on success or `modelship-batch: <Class>: <text>` on failure, and the exit code says the class.
import { writeFileSync } from 'node:fs';
import { FetchFailure, classifySourceError } from '../fetcher/failure.ts';
import { s3Client } from '../fetcher/s3-source.ts';
import { s3Settings } from '../fetcher/s3-settings.ts';
import { BATCH_USAGE, parseBatchArgs } from './args.ts';
import { BATCH_EXIT_CODES, BatchFailure, formatBatchFailureLine, fromFetchFailure } from './exit-codes.ts';
import { runShard } from './run-batch.ts';
import { localStore, s3Store, type Store } from './storage.ts';
import type { Location } from './uri.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

function finish(path: string | undefined, line: string): void {
  if (path !== undefined) {
    try {
      writeFileSync(path, `${line}\n`);
    } catch (err) {
      const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'error';
      log(`modelship-batch: cannot write the termination log ${path} (${code})`);
    }
  }
  log(line);
}

function storeOf(loc: Location, env: Readonly<Record<string, string | undefined>>): Store {
  return loc.kind === 's3' ? s3Store(s3Client(s3Settings(env)), loc, log) : localStore(loc);
}

function asBatchFailure(err: unknown, what: string): BatchFailure {
  if (err instanceof BatchFailure) return err;
  if (err instanceof FetchFailure) return fromFetchFailure(err);
  if (err instanceof Error && 'code' in err) return fromFetchFailure(classifySourceError(err, what));
  return new BatchFailure('Internal', `${what}: unexpected error (${err instanceof Error ? err.name : typeof err})`);
}

export async function runBatch(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(BATCH_USAGE);
    return 0;
  }
  const parsed = parseBatchArgs(argv, env);
  if (!parsed.ok) {
    process.stderr.write(BATCH_USAGE);
    finish(undefined, formatBatchFailureLine('InvalidArguments', parsed.error));
    return BATCH_EXIT_CODES.InvalidArguments;
  }
  const { plan } = parsed;
  try {
    const result = await runShard(plan, storeOf(plan.input, env), storeOf(plan.output, env), log);
    finish(plan.terminationLog, JSON.stringify({ scored: result.scored, failed: result.failed, records: result.records }));
    return 0;
  } catch (err) {
    const failure = asBatchFailure(err, plan.input.uri);
    finish(plan.terminationLog, formatBatchFailureLine(failure.cls, failure.message));
    return BATCH_EXIT_CODES[failure.cls];
  }
}
