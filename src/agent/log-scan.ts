// Finds logged records by request id in the files on object storage: this model's files (every version),
// newest hour first, back the label lookback, each streamed line by line; stops once every id is found.
import { GetObjectCommand, ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { datesBack, modelPrefix, scanOrder } from './layout.ts';
import { requestIdOfLine } from './log-record.ts';

export interface ScanTarget {
  readonly client: S3Client;
  readonly bucket: string;
  readonly base: string;
  readonly namespace: string;
  readonly model: string;
  readonly lookbackMs: number;
}

async function list(t: ScanTarget, prefix: string, delimiter?: string): Promise<{ keys: string[]; prefixes: string[] }> {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await t.client.send(
      new ListObjectsV2Command({ Bucket: t.bucket, Prefix: prefix, ...(delimiter !== undefined ? { Delimiter: delimiter } : {}), ...(token !== undefined ? { ContinuationToken: token } : {}) }),
    );
    for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) prefixes.push(p.Prefix);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return { keys, prefixes };
}

/** The lines of a streamed body (without their '\n'); throws on a line longer than `maxChars`. */
export async function* lines(body: AsyncIterable<Uint8Array>, maxChars = Number.MAX_SAFE_INTEGER): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body) {
    rest += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = rest.indexOf('\n')) !== -1) {
      yield rest.slice(0, nl);
      rest = rest.slice(nl + 1);
    }
    if (rest.length > maxChars) throw new Error(`a line longer than ${maxChars} characters`);
  }
  rest += decoder.decode();
  if (rest !== '') yield rest;
}

/** The parsed records of the wanted ids that were found (one scan for all of them). */
export async function scanForRequests(t: ScanTarget, wanted: ReadonlySet<string>, nowMs = Date.now()): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  if (wanted.size === 0) return found;
  const root = modelPrefix(t.base, t.namespace, t.model);
  const versions = (await list(t, root, '/')).prefixes.filter((p) => p.slice(root.length).startsWith('version='));
  // A day at a time, newest first: a label for a recent request costs one listing per version.
  for (const date of datesBack(nowMs, t.lookbackMs)) {
    const keys: string[] = [];
    for (const v of versions) keys.push(...(await list(t, `${v}date=${date}/`)).keys);
    for (const key of scanOrder(keys, nowMs, t.lookbackMs)) {
      const out = await t.client.send(new GetObjectCommand({ Bucket: t.bucket, Key: key }));
      if (out.Body === undefined) continue;
      for await (const line of lines(out.Body as AsyncIterable<Uint8Array>)) {
        const id = requestIdOfLine(line);
        if (id === undefined || !wanted.has(id) || found.has(id)) continue;
        try {
          found.set(id, JSON.parse(line) as Record<string, unknown>);
        } catch {
          continue;
        }
        if (found.size === wanted.size) {
          (out.Body as { destroy?: () => void }).destroy?.();
          return found;
        }
      }
    }
  }
  return found;
}
