// `modelship fetch <uri> <destination>`: the program the model pods' init container runs (the image's
// entry point with `fetch` first). Everything goes to stderr, the container log; on failure the last line
// is `modelship-fetch: <Reason>: <text>` and the exit code says the failure class (exit-codes.ts). With
// `--termination-log PATH` (the container's terminationMessagePath) the last line is also written there,
// where the kubelet reads it into the container's terminated state for the operator.
import { FETCH_FAILURES, formatFailureLine } from './exit-codes.ts';
import { classifySourceError, FetchFailure } from './failure.ts';
import { fetchModel } from './fetch-model.ts';
import { FETCH_USAGE, parseFetchArgs } from './plan.ts';
import { terminationLogOf, writeTerminationLog as writeTerminationFile } from './termination-log.ts';

export { terminationLogOf };

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Writes the last line to the termination-message file; a file that cannot be written is only logged. */
function writeTerminationLog(path: string | undefined, line: string): void {
  writeTerminationFile(path, line, log, 'modelship-fetch');
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
