// The batch runner's failure classes and exit codes. The Job's podFailurePolicy retries an index on
// transient classes and fails the Job on TooManyBadRecords. Pure.
import { boundedText } from '../fetcher/exit-codes.ts';
import type { FetchFailure } from '../fetcher/failure.ts';

export type BatchFailureClass =
  | 'Internal'
  | 'InvalidArguments'
  | 'InputNotFound'
  | 'AccessDenied'
  | 'Unavailable'
  | 'LocalWrite'
  | 'TooManyBadRecords'
  | 'ServerNotReady';

export const BATCH_EXIT_CODES: Readonly<Record<BatchFailureClass, number>> = {
  Internal: 1,
  InvalidArguments: 2,
  InputNotFound: 10,
  AccessDenied: 11,
  Unavailable: 15,
  LocalWrite: 16,
  TooManyBadRecords: 20,
  ServerNotReady: 21,
};

export class BatchFailure extends Error {
  readonly cls: BatchFailureClass;
  constructor(cls: BatchFailureClass, text: string) {
    super(text);
    this.cls = cls;
  }
}

/** The fetcher's classes (shared S3 and network error mapping) in the batch runner's terms. */
export function fromFetchFailure(f: FetchFailure): BatchFailure {
  switch (f.cls) {
    case 'ModelNotFound':
      return new BatchFailure('InputNotFound', f.message);
    case 'AccessDenied':
    case 'Unavailable':
    case 'LocalWrite':
    case 'InvalidArguments':
    case 'Internal':
      return new BatchFailure(f.cls, f.message);
    default:
      return new BatchFailure('Unavailable', f.message);
  }
}

export const BATCH_LINE_PREFIX = 'modelship-batch: ';

export function formatBatchFailureLine(cls: BatchFailureClass, text: string): string {
  return `${BATCH_LINE_PREFIX}${cls}: ${boundedText(text)}`;
}
