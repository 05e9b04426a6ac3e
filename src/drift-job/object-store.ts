// Object storage for the two commands: the reference streamed (s3:// or https://) under a byte cap, ranged
// reads for Parquet, small JSON documents in and out, and listings. The S3 client and the error classes
// are the fetcher's (s3-source.ts, failure.ts), with its retry policy on each call.
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { AsyncBuffer } from 'hyparquet';
import { withRetry } from '../fetcher/download.ts';
import { classifySourceError } from '../fetcher/failure.ts';
import { openHttps } from '../fetcher/https-source.ts';
import { DEFAULT_RETRY } from '../fetcher/retry.ts';
import type { S3Location } from '../fetcher/s3-uri.ts';
import type { SourceUri } from './args.ts';
import { DriftJobFailure } from './exit-codes.ts';

type Log = (line: string) => void;

const uriOf = (at: S3Location) => `s3://${at.bucket}/${at.key}`;

function tooLarge(uri: string, maxBytes: number): DriftJobFailure {
  return new DriftJobFailure('UnreadableData', `${uri}: larger than the bound of ${maxBytes} bytes`);
}

/** The object's bytes, streamed; throws once more than `maxBytes` came (or were announced). */
export async function* streamObject(client: S3Client, src: SourceUri, maxBytes: number, log: Log): AsyncGenerator<Uint8Array> {
  const opened =
    src.kind === 's3'
      ? await withRetry(src.uri, DEFAULT_RETRY, log, async () => {
        const out = await client.send(new GetObjectCommand({ Bucket: src.location.bucket, Key: src.location.key }));
        return { body: out.Body as AsyncIterable<Uint8Array>, size: out.ContentLength };
      })
      : await withRetry(src.uri, DEFAULT_RETRY, log, openHttps(src.uri));
  const body = opened.body as AsyncIterable<Uint8Array> & { destroy?: () => void };
  if (opened.size !== undefined && opened.size > maxBytes) {
    body.destroy?.();
    throw tooLarge(src.uri, maxBytes);
  }
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw tooLarge(src.uri, maxBytes);
      yield chunk;
    }
  } catch (err) {
    body.destroy?.();
    if (err instanceof DriftJobFailure) throw err;
    throw classifySourceError(err, src.uri);
  }
}

/** A Parquet file as hyparquet reads it: ranged GETs on S3; over https the whole file, under the cap. */
export async function parquetSource(client: S3Client, src: SourceUri, maxBytes: number, log: Log): Promise<AsyncBuffer> {
  if (src.kind === 'https') {
    const chunks: Uint8Array[] = [];
    for await (const chunk of streamObject(client, src, maxBytes, log)) chunks.push(chunk);
    const whole = Buffer.concat(chunks);
    const buffer = whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.byteLength);
    return { byteLength: buffer.byteLength, slice: (start, end) => buffer.slice(start, end) };
  }
  const { bucket, key } = src.location;
  const head = await withRetry(src.uri, DEFAULT_RETRY, log, () => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })));
  const size = head.ContentLength ?? 0;
  if (size > maxBytes) throw tooLarge(src.uri, maxBytes);
  return {
    byteLength: size,
    slice: (start, end) =>
      withRetry(src.uri, DEFAULT_RETRY, log, async () => {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${(end ?? size) - 1}` }));
        const bytes = await out.Body!.transformToByteArray();
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      }),
  };
}

/** A small object's text (a profile), refused past `maxBytes`. */
export async function getText(client: S3Client, at: S3Location, maxBytes: number, log: Log): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of streamObject(client, { kind: 's3', uri: uriOf(at), location: at }, maxBytes, log)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export async function putJson(client: S3Client, at: S3Location, text: string, log: Log): Promise<void> {
  await withRetry(uriOf(at), DEFAULT_RETRY, log, () => client.send(new PutObjectCommand({ Bucket: at.bucket, Key: at.key, Body: text, ContentType: 'application/json' })));
}

/** Keys under a prefix (every page). */
export async function listKeys(client: S3Client, bucket: string, prefix: string, log: Log): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await withRetry(`s3://${bucket}/${prefix}`, DEFAULT_RETRY, log, () =>
      client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token !== undefined ? { ContinuationToken: token } : {}) })),
    );
    for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

/** The folders directly under a prefix (`<prefix><name>/`, every page). */
export async function listFolders(client: S3Client, bucket: string, prefix: string, log: Log): Promise<string[]> {
  const folders: string[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await withRetry(`s3://${bucket}/${prefix}`, DEFAULT_RETRY, log, () =>
      client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/', ...(token !== undefined ? { ContinuationToken: token } : {}) })),
    );
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) folders.push(p.Prefix);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return folders;
}
