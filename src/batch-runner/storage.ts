// Reading the input and writing the run folder, on S3 (AWS SDK, the fetcher's client settings) or on a
// mounted claim. Streams only: ranged reads in, multipart uploads or temporary files renamed out.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { withRetry } from '../fetcher/download.ts';
import { classifySourceError, FetchFailure } from '../fetcher/failure.ts';
import { DEFAULT_RETRY } from '../fetcher/retry.ts';
import type { Location } from './uri.ts';
import type { InputFile } from './shards.ts';
import type { WrittenFile } from './manifest.ts';
import { isDataName } from './uri.ts';

type Log = (line: string) => void;

/** A file being written: lines go in with backpressure; commit makes it visible at once, abort leaves nothing. */
export interface PartWriter {
  write(text: string): Promise<void>;
  commit(): Promise<WrittenFile>;
  abort(): Promise<void>;
}

export interface Store {
  /** Every data file at the location (one file, or all under the folder), sorted by key. */
  listInput(): Promise<InputFile[]>;
  /** Bytes of `file` from `start` to its end (or to `end`, exclusive). */
  read(file: string, start: number, end?: number): AsyncIterable<Uint8Array>;
  readBytes(file: string, start: number, end: number): Promise<ArrayBuffer>;
  /** Output side, keys relative to the location (the run folder). */
  writer(key: string): PartWriter;
  putSmall(key: string, text: string): Promise<void>;
  getSmall(key: string): Promise<string | undefined>;
  listKeys(prefix: string): Promise<string[]>;
}

function hashing(key: string) {
  const hash = createHash('sha256');
  let bytes = 0;
  return {
    chunk(text: string): Buffer {
      const b = Buffer.from(text);
      hash.update(b);
      bytes += b.length;
      return b;
    },
    done: (): WrittenFile => ({ key, bytes, sha256: hash.digest('hex') }),
  };
}

export function s3Store(client: S3Client, loc: Extract<Location, { kind: 's3' }>, log: Log): Store {
  const { bucket } = loc;
  const base = loc.key;
  const folder = base === '' || base.endsWith('/') ? base : `${base}/`;
  const keyOf = (rel: string) => (rel === '' ? base : `${folder}${rel}`);
  const uriOf = (key: string) => `s3://${bucket}/${key}`;
  const listRaw = async (prefix: string) => {
    const out: { key: string; size: number }[] = [];
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await withRetry(uriOf(prefix), DEFAULT_RETRY, log, () =>
        client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token !== undefined ? { ContinuationToken: token } : {}) })),
      );
      for (const o of page.Contents ?? []) if (o.Key !== undefined) out.push({ key: o.Key, size: o.Size ?? 0 });
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out;
  };
  return {
    async listInput() {
      const all = await listRaw(base);
      const exact = all.find((o) => o.key === base && base !== '' && !base.endsWith('/'));
      if (exact !== undefined) return [{ file: '', size: exact.size }];
      const files = all
        .filter((o) => o.key.startsWith(folder) && !o.key.endsWith('/'))
        .map((o) => ({ file: o.key.slice(folder.length), size: o.size }))
        .filter((f) => isDataName(f.file))
        .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
      if (files.length === 0) throw new FetchFailure('ModelNotFound', `${loc.uri}: no object with this key or under this prefix`);
      return files;
    },
    async *read(file, start, end) {
      const key = keyOf(file);
      if (end !== undefined && end <= start) return;
      const range = `bytes=${start}-${end !== undefined ? end - 1 : ''}`;
      const out = await withRetry(uriOf(key), DEFAULT_RETRY, log, () => client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range })));
      if (out.Body === undefined) throw new FetchFailure('Unavailable', `${uriOf(key)}: the response has no body`, true);
      try {
        yield* out.Body as AsyncIterable<Uint8Array>;
      } catch (err) {
        throw classifySourceError(err, uriOf(key));
      }
    },
    async readBytes(file, start, end) {
      const key = keyOf(file);
      return withRetry(uriOf(key), DEFAULT_RETRY, log, async () => {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }));
        const bytes = await out.Body!.transformToByteArray();
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      });
    },
    writer(rel) {
      const key = keyOf(rel);
      const body = new PassThrough();
      const h = hashing(rel);
      const upload = new Upload({ client, params: { Bucket: bucket, Key: key, Body: body }, queueSize: 1, partSize: 5 * 1024 * 1024, leavePartsOnError: false });
      const done = upload.done();
      done.catch(() => undefined);
      return {
        async write(text) {
          if (!body.write(h.chunk(text))) await Promise.race([once(body, 'drain'), done]);
        },
        async commit() {
          body.end();
          try {
            await done;
          } catch (err) {
            throw classifySourceError(err, uriOf(key));
          }
          return h.done();
        },
        async abort() {
          await upload.abort().catch(() => undefined);
          body.destroy();
        },
      };
    },
    async putSmall(rel, text) {
      const key = keyOf(rel);
      await withRetry(uriOf(key), DEFAULT_RETRY, log, () => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'application/json' })));
    },
    async getSmall(rel) {
      const key = keyOf(rel);
      try {
        const out = await withRetry(uriOf(key), DEFAULT_RETRY, log, () => client.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
        return await out.Body!.transformToString();
      } catch (err) {
        if (err instanceof FetchFailure && err.cls === 'ModelNotFound') return undefined;
        throw err;
      }
    },
    async listKeys(prefix) {
      return (await listRaw(keyOf(prefix))).map((o) => o.key.slice(folder.length));
    },
  };
}

async function walk(root: string, dir: string, out: InputFile[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(root, full, out);
    else if (entry.isFile()) out.push({ file: relative(root, full).split('\\').join('/'), size: (await stat(full)).size });
  }
}

function localFailure(err: unknown, what: string): FetchFailure {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  if (code === 'ENOENT') return new FetchFailure('ModelNotFound', `${what}: not found`);
  if (code === 'EACCES' || code === 'EPERM') return new FetchFailure('AccessDenied', `${what}: access denied (${code})`);
  return classifySourceError(err, what);
}

export function localStore(loc: Extract<Location, { kind: 'local' }>): Store {
  const pathOf = (rel: string) => (rel === '' ? loc.path : posix.join(loc.path, rel));
  return {
    async listInput() {
      let s;
      try {
        s = await stat(loc.path);
      } catch (err) {
        throw localFailure(err, loc.uri);
      }
      if (s.isFile()) return [{ file: '', size: s.size }];
      const out: InputFile[] = [];
      await walk(loc.path, loc.path, out);
      const files = out.filter((f) => isDataName(f.file)).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
      if (files.length === 0) throw new FetchFailure('ModelNotFound', `${loc.uri}: no file in this folder`);
      return files;
    },
    async *read(file, start, end) {
      if (end !== undefined && end <= start) return;
      yield* createReadStream(pathOf(file), { start, ...(end !== undefined ? { end: end - 1 } : {}), highWaterMark: 256 * 1024 }) as AsyncIterable<Uint8Array>;
    },
    async readBytes(file, start, end) {
      const handle = await open(pathOf(file), 'r');
      try {
        const buf = Buffer.alloc(end - start);
        await handle.read(buf, 0, end - start, start);
        return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      } finally {
        await handle.close();
      }
    },
    writer(rel) {
      const final = pathOf(rel);
      const tmp = join(dirname(final), `.${posix.basename(rel)}.tmp-${randomBytes(6).toString('hex')}`);
      const h = hashing(rel);
      let stream: ReturnType<typeof createWriteStream> | undefined;
      const ready = mkdir(dirname(final), { recursive: true }).then(() => {
        stream = createWriteStream(tmp);
        stream.on('error', () => undefined); // surfaces through the next write or commit
      });
      return {
        async write(text) {
          await ready;
          if (stream!.errored !== null) throw stream!.errored;
          if (!stream!.write(h.chunk(text))) await once(stream!, 'drain');
        },
        async commit() {
          await ready;
          if (stream!.errored !== null) throw stream!.errored;
          stream!.end();
          await once(stream!, 'finish');
          await rename(tmp, final);
          return h.done();
        },
        async abort() {
          await ready.catch(() => undefined);
          stream?.destroy();
          await rm(tmp, { force: true });
        },
      };
    },
    async putSmall(rel, text) {
      const final = pathOf(rel);
      await mkdir(dirname(final), { recursive: true });
      const tmp = join(dirname(final), `.${posix.basename(rel)}.tmp-${randomBytes(6).toString('hex')}`);
      await writeFile(tmp, text);
      await rename(tmp, final);
    },
    async getSmall(rel) {
      try {
        return await readFile(pathOf(rel), 'utf8');
      } catch (err) {
        if (localFailure(err, rel).cls === 'ModelNotFound') return undefined;
        throw err;
      }
    },
    async listKeys(prefix) {
      const dir = pathOf(prefix);
      try {
        return (await readdir(dir)).map((n) => posix.join(prefix, n));
      } catch (err) {
        if (localFailure(err, dir).cls === 'ModelNotFound') return [];
        throw err;
      }
    },
  };
}
