// Reading a batch run's output folder back from S3 and checking it against the input: every input row
// scored exactly once with the prediction expected for it, the manifest's parts hashing to what is stored.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** `${file}@${offset|row}` (file relative to the input URI, '' for a single object) -> the row's index. */
export type RowIndex = Map<string, number>;

export interface WrittenFile {
  key: string;
  bytes: number;
  sha256: string;
}

export interface RunManifest {
  run: string;
  model: string;
  modelVersion: string | null;
  records: number;
  scored: number;
  failed: number;
  shards: number;
  parts: WrittenFile[];
  errors: WrittenFile[];
  completedAt: string;
}

export interface OutputLine {
  file: string;
  offset?: number;
  row?: number;
  prediction?: unknown;
  reason?: string;
  record?: string;
}

/** Every key under the prefix, sorted (ListObjectsV2 pages followed). */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token !== undefined ? { ContinuationToken: token } : {}) }));
    for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys.sort();
}

export async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const body = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body;
  assert.ok(body, `${bucket}/${key} has a body`);
  return body.transformToString();
}

/** The JSON lines of files of a run folder (keys relative to it). */
export async function readLines(s3: S3Client, bucket: string, folder: string, keys: readonly string[]): Promise<OutputLine[]> {
  const out: OutputLine[] = [];
  for (const k of keys) {
    const body = await readText(s3, bucket, `${folder}/${k}`);
    for (const l of body.split('\n')) if (l !== '') out.push(JSON.parse(l) as OutputLine);
  }
  return out;
}

export const lineId = (l: OutputLine): string => `${l.file}@${l.offset ?? l.row}`;

/** A prediction of shape [n] is a scalar, of shape [n, 1] a one-element array. */
const scalar = (p: unknown): unknown => (Array.isArray(p) ? (p as unknown[])[0] : p);

/**
 * The run folder `<bucket>/<folder>` holds a manifest whose parts hash to what is stored, and its parts
 * score every row of `rows` but the bad ones exactly once, each with `predictions[row]`.
 */
export async function checkScored(s3: S3Client, bucket: string, folder: string, rows: RowIndex, predictions: readonly number[], expectScored: number): Promise<{ manifest: RunManifest; scored: OutputLine[] }> {
  const manifest = JSON.parse(await readText(s3, bucket, `${folder}/_manifest.json`)) as RunManifest;
  assert.equal(manifest.scored, expectScored, 'scored records in the manifest');
  assert.equal(manifest.records, manifest.scored + manifest.failed, 'records = scored + failed in the manifest');
  for (const f of [...manifest.parts, ...manifest.errors]) {
    const body = await readText(s3, bucket, `${folder}/${f.key}`);
    assert.equal(createHash('sha256').update(body).digest('hex'), f.sha256, `${f.key}: sha256 as the manifest says`);
    assert.equal(Buffer.byteLength(body), f.bytes, `${f.key}: bytes as the manifest says`);
  }
  const scored = await readLines(s3, bucket, folder, manifest.parts.map((p) => p.key));
  assert.equal(scored.length, expectScored, 'lines in the parts');
  const seen = new Set<string>();
  for (const l of scored) {
    const id = lineId(l);
    assert.ok(!seen.has(id), `${id} scored twice`);
    seen.add(id);
    const i = rows.get(id);
    assert.ok(i !== undefined, `${id} is not a row of the input`);
    assert.equal(scalar(l.prediction), predictions[i], `${id}: the model's prediction for row ${i}`);
  }
  return { manifest, scored };
}
