// `modelship fetch <uri> <destination>`: the program the model pods' init container runs (the image's
// entry point with `fetch` first). Everything goes to stderr, the container log; on failure the last line
// is `modelship-fetch: <Reason>: <text>` and the exit code says the failure class (exit-codes.ts). With
// `--termination-log PATH` (the container's terminationMessagePath) the last line is also written there,
// where the kubelet reads it into the container's terminated state for the operator.
import { writeFileSync } from 'node:fs';
import { FETCH_FAILURES, formatFailureLine } from './exit-codes.ts';
import { classifySourceError, FetchFailure } from './failure.ts';
import { fetchModel } from './fetch-model.ts';
import { FETCH_USAGE, parseFetchArgs } from './plan.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The --termination-log path of argv, also when the rest does not parse. */
export function terminationLogOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg === '--termination-log') return argv[i + 1] !== '' ? argv[i + 1] : undefined;
    if (arg.startsWith('--termination-log=')) return arg.slice('--termination-log='.length) || undefined;
  }
  return undefined;
}

/** Writes the last line to the termination-message file; a file that cannot be written is only logged. */
function writeTerminationLog(path: string | undefined, line: string): void {
  if (path === undefined) return;
  try {
    writeFileSync(path, `${line}\n`);
  } catch (err) {
    const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'error';
    log(`modelship-fetch: cannot write the termination log ${path} (${code}); the last line stays in this log only`);
  }
}

/** Logs the last line (after any note about the termination log, so it stays the log's last line). */
function finish(path: string | undefined, line: string): void {
  writeTerminationLog(path, line);
  log(line);
}

/** Runs the fetch command and returns its exit code. */
export async function runFetch(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(FETCH_USAGE);
    return 0;
  }
  const parsed = parseFetchArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(FETCH_USAGE);
    finish(terminationLogOf(argv), formatFailureLine('InvalidArguments', parsed.error));
    return FETCH_FAILURES.InvalidArguments.exitCode;
  }
  const { plan } = parsed;
  try {
    const result = await fetchModel(plan, { env, log });
    writeTerminationLog(plan.terminationLog, result.doneLine);
    return 0;
  } catch (err) {
    const failure =
      err instanceof FetchFailure
        ? err
        : err instanceof Error && 'code' in err
          ? classifySourceError(err, plan.uri)
          : new FetchFailure('Internal', `${plan.uri}: unexpected error (${err instanceof Error ? err.name : typeof err})`);
    finish(plan.terminationLog, formatFailureLine(failure.cls, failure.message));
    return FETCH_FAILURES[failure.cls].exitCode;
  }
}
