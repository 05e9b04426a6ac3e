// Joins a labels file on object storage: read once to check every line (nothing is counted for a file
// with a bad line, so a corrected file can be sent again), then read again, the same object version
// (If-Match on its ETag), and joined a batch at a time. The file is streamed both times, never whole in
// memory. The agent that receives the call counts every label once; other replicas never see the file.
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { S3Location } from '../fetcher/s3-uri.ts';
import type { Feedback } from './feedback-body.ts';
import type { FeedbackResult } from './feedback.ts';
import { labelBatches, LabelsFileError, MAX_LABELS_LINE_CHARS } from './labels-file.ts';
import { lines } from './log-scan.ts';

export interface LabelsFileReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function storeError(uri: string, err: unknown): LabelsFileReply {
  const status = statusOf(err);
  const name = (err as { name?: string } | undefined)?.name ?? 'Error';
  if (status === 404 || name === 'NoSuchKey') return { status: 404, body: { error: `no labels file at ${uri}` } };
  if (status === 412 || name === 'PreconditionFailed') return { status: 409, body: { error: `${uri} changed while it was read: nothing more was counted, send it again` } };
  if (status === 403 || name === 'AccessDenied') return { status: 502, body: { error: `${uri}: the logging credentials may not read it (AccessDenied)` } };
  return { status: 502, body: { error: `${uri}: the object store failed: ${name}` } };
}

async function open(client: S3Client, at: S3Location, etag?: string): Promise<GetObjectCommandOutput> {
  return client.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key, ...(etag !== undefined ? { IfMatch: etag } : {}) }));
}

export async function joinLabelsFile(client: S3Client, at: S3Location, submit: (items: readonly Feedback[]) => Promise<FeedbackResult>): Promise<LabelsFileReply> {
  const uri = `s3://${at.bucket}/${at.key}`;
  const body = (out: GetObjectCommandOutput) => lines((out.Body ?? []) as AsyncIterable<Uint8Array>, MAX_LABELS_LINE_CHARS);
  let etag: string | undefined;
  let labels = 0;
  try {
    const first = await open(client, at);
    etag = first.ETag;
    for await (const batch of labelBatches(body(first))) labels += batch.length;
  } catch (err) {
    if (err instanceof LabelsFileError) return { status: 400, body: { error: `${uri} ${err.message}; nothing was counted` } };
    if (err instanceof Error && err.message.startsWith('a line longer')) return { status: 400, body: { error: `${uri} has ${err.message}; nothing was counted` } };
    return storeError(uri, err);
  }
  const total = { accepted: 0, matched: 0, pending: 0, unmatched: 0 };
  try {
    for await (const batch of labelBatches(body(await open(client, at, etag)))) {
      const r = await submit(batch);
      total.accepted += r.accepted;
      total.matched += r.matched;
      total.pending += r.pending;
      total.unmatched += r.unmatched;
    }
  } catch (err) {
    // Part of the file is counted (in `counted`); sending it again would count that part twice.
    const failed = err instanceof LabelsFileError ? { status: 409, body: { error: `${uri} changed while it was read (${err.message})` } } : storeError(uri, err);
    return { status: failed.status, body: { ...failed.body, counted: total } };
  }
  return { status: 200, body: { uri, labels, ...total } };
}
