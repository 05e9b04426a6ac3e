// `modelship fetch <uri> <destination>`: the program the model pods' init container runs (the image's
// entry point with `fetch` first). Everything goes to stderr, the container log; on failure the last line
// is `modelship-fetch: <Reason>: <text>` and the exit code says the failure class (exit-codes.ts).
import { FETCH_FAILURES, formatFailureLine } from './exit-codes.ts';
import { classifySourceError, FetchFailure } from './failure.ts';
import { fetchModel } from './fetch-model.ts';
import { FETCH_USAGE, parseFetchArgs } from './plan.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Runs the fetch command and returns its exit code. */
export async function runFetch(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(FETCH_USAGE);
    return 0;
  }
  const parsed = parseFetchArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(FETCH_USAGE);
    log(formatFailureLine('InvalidArguments', parsed.error));
    return FETCH_FAILURES.InvalidArguments.exitCode;
  }
  try {
    await fetchModel(parsed.plan, { env, log });
    return 0;
  } catch (err) {
    const failure =
      err instanceof FetchFailure
        ? err
        : err instanceof Error && 'code' in err
          ? classifySourceError(err, parsed.plan.uri)
          : new FetchFailure('Internal', `${parsed.plan.uri}: unexpected error (${err instanceof Error ? err.name : typeof err})`);
    log(formatFailureLine(failure.cls, failure.message));
    return FETCH_FAILURES[failure.cls].exitCode;
  }
}
