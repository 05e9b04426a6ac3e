// Joins a labels file on object storage: read once to check every line (nothing is counted for a file
// with a bad line, so a corrected file can be sent again), then read again, the same object version
// (If-Match on its ETag), and joined a batch at a time. The file is streamed both times, never whole in
// memory. Between the two reads the agent claims the file with a marker object created only if absent
// (If-None-Match): a file is counted by one call, once, whichever replica receives it and however often a
// pipeline sends it again. A call that fails part way leaves the marker `partial` with what it counted:
// the rest is not counted (a label never counts twice; put the remaining labels in a new file).
import { GetObjectCommand, PutObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
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

interface Marker {
  readonly uri: string;
  readonly etag: string | null;
  readonly pod: string;
  readonly state: 'counting' | 'counted' | 'partial';
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly counted?: Record<string, number>;
}

const putMarker = (client: S3Client, at: S3Location, marker: Marker, onlyIfAbsent: boolean) =>
  client.send(new PutObjectCommand({ Bucket: at.bucket, Key: at.key, Body: `${JSON.stringify(marker)}\n`, ContentType: 'application/json', ...(onlyIfAbsent ? { IfNoneMatch: '*' } : {}) }));

async function readMarker(client: S3Client, at: S3Location): Promise<unknown> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }));
    return JSON.parse((await out.Body?.transformToString()) ?? 'null') as unknown;
  } catch {
    return null;
  }
}

export async function joinLabelsFile(client: S3Client, at: S3Location, markerAt: S3Location, pod: string, submit: (items: readonly Feedback[]) => Promise<FeedbackResult>): Promise<LabelsFileReply> {
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
  const claim: Marker = { uri, etag: etag ?? null, pod, state: 'counting', startedAt: new Date().toISOString() };
  try {
    await putMarker(client, markerAt, claim, true);
  } catch (err) {
    if (statusOf(err) === 412 || (err as { name?: string } | undefined)?.name === 'PreconditionFailed') {
      const marker = await readMarker(client, markerAt);
      return { status: 409, body: { error: `${uri} was already counted (a labels file counts once; put new labels in a new file)`, marker } };
    }
    return storeError(`s3://${markerAt.bucket}/${markerAt.key}`, err);
  }
  const total = { accepted: 0, matched: 0, pending: 0, unmatched: 0 };
  const finish = (state: 'counted' | 'partial') => putMarker(client, markerAt, { ...claim, state, finishedAt: new Date().toISOString(), counted: total }, false).catch(() => undefined);
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
    await finish('partial');
    const failed = err instanceof LabelsFileError ? { status: 409, body: { error: `${uri} changed while it was read (${err.message})` } } : storeError(uri, err);
    return { status: failed.status, body: { ...failed.body, counted: total } };
  }
  await finish('counted');
  return { status: 200, body: { uri, labels, ...total } };
}
