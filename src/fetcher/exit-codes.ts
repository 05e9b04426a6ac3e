// The fetcher's failure classes: one exit code each, and the Stalled reason the operator reports for it.
// The fetcher's last line on stderr is `modelship-fetch: <Reason>: <text>` (formatFailureLine); the operator
// reads the init container's exit code and that line (fetchFailureOf) and never anything else of its log.
// Pure: shared by the fetcher (src/fetcher/main.ts) and the operator.

export type FetchStalledReason = 'ModelNotFound' | 'AccessDenied' | 'ChecksumMismatch' | 'ModelFetchFailed';

export type FetchFailureClass =
  | 'Internal'
  | 'InvalidArguments'
  | 'ModelNotFound'
  | 'AccessDenied'
  | 'ChecksumMismatch'
  | 'TooLarge'
  | 'UnsafeArchive'
  | 'Unavailable'
  | 'LocalWrite';

export interface FetchFailureKind {
  readonly exitCode: number;
  readonly reason: FetchStalledReason;
  /** What the class means, for the README and --help. */
  readonly meaning: string;
}

export const FETCH_FAILURES: Readonly<Record<FetchFailureClass, FetchFailureKind>> = {
  Internal: { exitCode: 1, reason: 'ModelFetchFailed', meaning: 'an unexpected error (a bug)' },
  InvalidArguments: { exitCode: 2, reason: 'ModelFetchFailed', meaning: 'bad arguments or an unsupported URI' },
  ModelNotFound: { exitCode: 10, reason: 'ModelNotFound', meaning: 'no object, bucket or file at the URI (404)' },
  AccessDenied: { exitCode: 11, reason: 'AccessDenied', meaning: 'the credentials were refused (401, 403, bad key or signature)' },
  ChecksumMismatch: { exitCode: 12, reason: 'ChecksumMismatch', meaning: 'the sha256 of the downloaded object differs from the one asked for' },
  TooLarge: { exitCode: 13, reason: 'ModelFetchFailed', meaning: 'the model, or an archive unpacked, exceeds the size or entry cap' },
  UnsafeArchive: { exitCode: 14, reason: 'ModelFetchFailed', meaning: 'an archive entry escapes the destination or is of a refused type' },
  Unavailable: { exitCode: 15, reason: 'ModelFetchFailed', meaning: 'the source kept failing (network, 5xx, throttling) after every retry' },
  LocalWrite: { exitCode: 16, reason: 'ModelFetchFailed', meaning: 'the destination could not be written (full, not empty, not a folder)' },
};

export const FAILURE_LINE_PREFIX = 'modelship-fetch: ';
/** Longest text of a failure line, so a status message stays short whatever the source said. */
export const MAX_FAILURE_TEXT = 240;

/** Printable ASCII only, one line, bounded: an archive entry name or a server's error code cannot inject lines. */
export function boundedText(text: string, max = MAX_FAILURE_TEXT): string {
  const flat = text.replace(/[^\x20-\x7e]/g, '?');
  return flat.length <= max ? flat : `${flat.slice(0, max - 3)}...`;
}

export function formatFailureLine(cls: FetchFailureClass, text: string): string {
  return `${FAILURE_LINE_PREFIX}${FETCH_FAILURES[cls].reason}: ${boundedText(text)}`;
}

export interface FetchFailureReport {
  readonly reason: FetchStalledReason;
  readonly message: string;
}

const LINE = /^modelship-fetch: (ModelNotFound|AccessDenied|ChecksumMismatch|ModelFetchFailed): (.+)$/;

/**
 * What the operator reports for a fetcher that exited with `exitCode`, given the end of its log (the
 * termination message): the reason comes from the exit code, the message from the last failure line.
 */
export function fetchFailureOf(exitCode: number, logTail: string): FetchFailureReport {
  const kind = Object.values(FETCH_FAILURES).find((k) => k.exitCode === exitCode);
  const reason: FetchStalledReason = kind?.reason ?? 'ModelFetchFailed';
  const lines = logTail.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  const last = lines.findLast((l) => LINE.test(l));
  if (kind !== undefined && last !== undefined) {
    const text = LINE.exec(last)![2]!;
    return { reason, message: boundedText(text) };
  }
  if (exitCode === 137) return { reason, message: 'the model fetcher was killed (exit 137: out of memory, or stopped)' };
  return { reason, message: `the model fetcher exited with code ${exitCode}` };
}
