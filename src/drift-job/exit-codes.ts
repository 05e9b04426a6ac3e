// The failure classes of the `profile` and `drift` subcommands and their exit codes. A drift verdict,
// Drift included, is a result (exit 0); these say why no verdict (or no profile) came out. The last line
// of the log and the termination message is `modelship-<command>: <Class>: <text>`. Pure.
import { boundedText } from '../fetcher/exit-codes.ts';
import { FetchFailure } from '../fetcher/failure.ts';

export type DriftJobFailureClass = 'Internal' | 'InvalidArguments' | 'NotFound' | 'Storage' | 'UnreadableData';

export const DRIFT_JOB_EXIT_CODES: Readonly<Record<DriftJobFailureClass, number>> = {
  Internal: 1,
  InvalidArguments: 2,
  /** The reference (profile) or the profile (drift) is missing. */
  NotFound: 3,
  /** The object store is unreachable or refused the credentials. */
  Storage: 4,
  /** The data cannot be used: unparseable, over a bound, or requests that map to no features. */
  UnreadableData: 5,
};

export class DriftJobFailure extends Error {
  readonly cls: DriftJobFailureClass;
  constructor(cls: DriftJobFailureClass, text: string) {
    super(text);
    this.cls = cls;
  }
}

/** The fetcher's classes (shared S3 and HTTP error mapping) in these commands' terms. */
export function fromFetchFailure(f: FetchFailure): DriftJobFailure {
  switch (f.cls) {
    case 'ModelNotFound':
      return new DriftJobFailure('NotFound', f.message);
    case 'AccessDenied':
    case 'Unavailable':
    case 'LocalWrite':
      return new DriftJobFailure('Storage', f.message);
    case 'TooLarge':
      return new DriftJobFailure('UnreadableData', f.message);
    case 'InvalidArguments':
      return new DriftJobFailure('InvalidArguments', f.message);
    default:
      return new DriftJobFailure('Internal', f.message);
  }
}

export function asDriftJobFailure(err: unknown): DriftJobFailure {
  if (err instanceof DriftJobFailure) return err;
  if (err instanceof FetchFailure) return fromFetchFailure(err);
  return new DriftJobFailure('Internal', `unexpected error (${err instanceof Error ? `${err.name}: ${err.message}` : typeof err})`);
}

export function formatFailureLine(command: 'profile' | 'drift', cls: DriftJobFailureClass, text: string): string {
  return `modelship-${command}: ${cls}: ${boundedText(text, 1000)}`;
}
