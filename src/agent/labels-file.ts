// Labels that arrive as files: `POST /modelship/v1/feedback/files {"uri":"s3://..."}` names a JSONL file
// of feedback items under `<log uri>/labels/`. Which files may be read and how their lines become batches.
// Pure.
import { parseS3Uri, type S3Location } from '../fetcher/s3-uri.ts';
import { parseFeedbackItem, type Feedback } from './feedback-body.ts';

/** Labels joined per scan of the logs: one scan serves a whole batch. */
export const LABELS_FILE_BATCH = 10_000;
/** The longest line read (as the feedback body): a longer one is an error, never buffered further. */
export const MAX_LABELS_LINE_CHARS = 16 * 1024 * 1024;

/** The folder labels files must be in: `<log key>/labels/` in the log bucket, as an s3:// URI. */
export function labelsFolder(log: S3Location): S3Location {
  return { bucket: log.bucket, key: `${log.key === '' ? '' : `${log.key}/`}labels/` };
}

/**
 * Where the agent records that a labels file was counted: `<log key>/_labels-counted/<the file's path under
 * labels/>`, outside both the labels folder and the records' partitions. Created with If-None-Match, so
 * of two calls for one file (a retry, two replicas) exactly one counts it.
 */
export function countedMarker(log: S3Location, file: S3Location): S3Location {
  const folder = labelsFolder(log);
  return { bucket: log.bucket, key: `${log.key === '' ? '' : `${log.key}/`}_labels-counted/${file.key.slice(folder.key.length)}.json` };
}

export type LabelsFileTarget = { readonly ok: true; readonly location: S3Location } | { readonly ok: false; readonly status: number; readonly error: string };

/**
 * The file a request body names, when it is under the labels folder of the logging URI: the agent reads
 * with the model's logging credentials and must not be a way to read anything else they reach.
 */
export function labelsFileTarget(body: unknown, log: S3Location | undefined): LabelsFileTarget {
  if (log === undefined) return { ok: false, status: 409, error: 'labels files need request logging (--log-uri): there are no logged predictions to join' };
  const uri = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).uri : undefined;
  if (typeof uri !== 'string' || !uri.startsWith('s3://') || Object.keys(body as object).length !== 1) return { ok: false, status: 400, error: 'expected {"uri":"s3://bucket/key"}' };
  const folder = labelsFolder(log);
  const where = `s3://${folder.bucket}/${folder.key}`;
  const location = parseS3Uri(uri);
  if (typeof location === 'string') return { ok: false, status: 400, error: location };
  if (location.bucket !== folder.bucket || !location.key.startsWith(folder.key) || location.key.length === folder.key.length || location.key.endsWith('/')) {
    return { ok: false, status: 403, error: `${uri} is not a file under ${where}: the agent reads labels files only there` };
  }
  return { ok: true, location };
}

export class LabelsFileError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.line = line;
  }
}

/** The feedback items of a file's lines in batches of `size`; blank lines skipped; throws LabelsFileError on a bad line. */
export async function* labelBatches(lines: AsyncIterable<string>, size = LABELS_FILE_BATCH): AsyncGenerator<Feedback[]> {
  let batch: Feedback[] = [];
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new LabelsFileError(n, 'not JSON');
    }
    const parsed = parseFeedbackItem(json);
    if (!parsed.ok) throw new LabelsFileError(n, parsed.error);
    batch.push(parsed.item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
