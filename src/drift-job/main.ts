// `modelship profile ...` and `modelship drift ...`: the programs of the profile and drift-check Jobs.
// Logs go to stderr; the last line (and the termination message) is the result as one JSON line on
// success, or `modelship-<command>: <Class>: <text>` on failure with the class's exit code (exit-codes.ts).
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Settings } from '../fetcher/s3-settings.ts';
import { s3Client } from '../fetcher/s3-source.ts';
import { terminationLogOf, writeTerminationLog } from '../fetcher/termination-log.ts';
import { DRIFT_USAGE, PROFILE_USAGE, parseAnyProfileArgs, parseDriftArgs, type ArgsResult } from './args.ts';
import { runDriftCommand } from './drift-command.ts';
import { asDriftJobFailure, DRIFT_JOB_EXIT_CODES, formatFailureLine } from './exit-codes.ts';
import { runLoggedProfileCommand } from './logged-profile-command.ts';
import { runProfileCommand } from './profile-command.ts';

type Env = Readonly<Record<string, string | undefined>>;

const log = (line: string) => process.stderr.write(`${line}\n`);

async function run<T extends { terminationLog?: string | undefined }>(
  command: 'profile' | 'drift',
  argv: readonly string[],
  env: Env,
  usage: string,
  parse: (argv: readonly string[]) => ArgsResult<T>,
  work: (plan: T, client: S3Client) => Promise<string>,
): Promise<number> {
  const finish = (path: string | undefined, line: string) => {
    writeTerminationLog(path, line, log, `modelship-${command}`);
    log(line);
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return 0;
  }
  const parsed = parse(argv);
  if (!parsed.ok) {
    process.stderr.write(usage);
    finish(terminationLogOf(argv), formatFailureLine(command, 'InvalidArguments', parsed.error));
    return DRIFT_JOB_EXIT_CODES.InvalidArguments;
  }
  const client = s3Client(s3Settings(env));
  try {
    finish(parsed.plan.terminationLog, await work(parsed.plan, client));
    return 0;
  } catch (err) {
    const failure = asDriftJobFailure(err);
    finish(parsed.plan.terminationLog, formatFailureLine(command, failure.cls, failure.message));
    return DRIFT_JOB_EXIT_CODES[failure.cls];
  } finally {
    client.destroy();
  }
}

export function runProfile(argv: readonly string[], env: Env): Promise<number> {
  return run('profile', argv, env, PROFILE_USAGE, parseAnyProfileArgs, async (plan, client) =>
    JSON.stringify('logs' in plan ? await runLoggedProfileCommand(plan, client, log) : await runProfileCommand(plan, client, log)),
  );
}

export function runDrift(argv: readonly string[], env: Env): Promise<number> {
  return run('drift', argv, env, DRIFT_USAGE, parseDriftArgs, async (plan, client) => (await runDriftCommand(plan, client, log)).termination);
}
