// s3:// with the official AWS SDK: a single object, or every object under a folder prefix.
import { GetObjectCommand, ListObjectsV2Command, S3Client, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import type { OpenedBody } from './download.ts';
import { withRetry } from './download.ts';
import { classifySourceError, FetchFailure } from './failure.ts';
import type { RetryPolicy } from './retry.ts';
import type { S3Settings } from './s3-settings.ts';

export interface S3Object {
  readonly key: string;
  readonly size?: number | undefined;
}

/** What a URI names: one object, or the objects under `prefix` (ending in '/', or '' for the whole bucket). */
export type S3Listing = { readonly kind: 'object'; readonly object: S3Object } | { readonly kind: 'prefix'; readonly prefix: string; readonly objects: readonly S3Object[] };

export function s3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.credentials !== undefined ? { credentials: settings.credentials } : {}),
    // The fetcher retries on its own (retry.ts): one policy, one log line per attempt.
    maxAttempts: 1,
    // S3-compatible servers differ in the checksums they send; the fetcher checks sha256 itself.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 120_000 },
  });
}

export async function listS3(client: S3Client, bucket: string, key: string, maxEntries: number, retry: RetryPolicy, log: (line: string) => void): Promise<S3Listing> {
  const uri = `s3://${bucket}/${key}`;
  const wantsPrefix = key === '' || key.endsWith('/');
  const objects: S3Object[] = [];
  let token: string | undefined;
  try {
    do {
      const page: ListObjectsV2CommandOutput = await withRetry(uri, retry, log, () =>
        client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ...(token !== undefined ? { ContinuationToken: token } : {}) })),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        if (!wantsPrefix && o.Key === key) return { kind: 'object', object: { key: o.Key, size: o.Size } };
        if (objects.length >= maxEntries) throw new FetchFailure('TooLarge', `${uri}: more than ${maxEntries} objects under the prefix`);
        objects.push({ key: o.Key, size: o.Size });
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  } catch (err) {
    const failure = classifySourceError(err, uri);
    // Allowed to read the object but not to list the bucket: fetch the key as one object.
    if (failure.cls === 'AccessDenied' && !wantsPrefix) return { kind: 'object', object: { key } };
    throw failure;
  }
  const prefix = wantsPrefix ? key : `${key}/`;
  const under = objects.filter((o) => o.key.startsWith(prefix) && !o.key.endsWith('/'));
  if (under.length === 0) throw new FetchFailure('ModelNotFound', `${uri}: no object with this key or under this prefix`);
  return { kind: 'prefix', prefix, objects: under };
}

export function openS3(client: S3Client, bucket: string, key: string): () => Promise<OpenedBody> {
  return async () => {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (out.Body === undefined) throw new FetchFailure('Unavailable', `s3://${bucket}/${key}: the response has no body`, true);
    return { body: out.Body as AsyncIterable<Uint8Array>, size: out.ContentLength };
  };
}
