// Unpacks a downloaded .tar.gz or .zip into the staging folder. node-tar and yauzl parse the archives; every
// entry is then decided here: its path is checked (archive-paths.ts), entries and unpacked bytes are capped,
// only files, folders and symbolic links are written; links are made last, so no entry is ever written
// through one, and each is then resolved on disk and refused if it leads outside the folder (or nowhere).
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdir, open as openFile, readlink, realpath, symlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, sep, isAbsolute } from 'node:path';
import type { Readable } from 'node:stream';
import { crc32, createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import * as yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';
import { ArchiveBudget, entryPath, linkTarget, type ArchiveLimits } from './archive-paths.ts';
import { FetchFailure } from './failure.ts';

export interface Extracted {
  readonly files: number;
  readonly bytes: number;
}

/** Writes entries below `root`; shared by the tar and zip extraction. */
export class EntryWriter {
  private readonly root: string;
  readonly what: string;
  private readonly budget: ArchiveBudget;
  private readonly links: { path: string; target: string }[] = [];
  private readonly made = new Set<string>();
  files = 0;

  constructor(root: string, what: string, limits: ArchiveLimits) {
    this.root = root;
    this.what = what;
    this.budget = new ArchiveBudget(limits);
  }

  unsafe(name: string, why: string): FetchFailure {
    return new FetchFailure('UnsafeArchive', `${this.what}: entry '${name}' ${why}`);
  }

  /** The checked relative path of an entry, counted against the entry cap; '' for the root itself. */
  path(name: string): string {
    if (!this.budget.entry()) throw new FetchFailure('TooLarge', `${this.what}: more entries than the cap allows`);
    const checked = entryPath(name);
    if (!checked.ok) throw this.unsafe(name, checked.why);
    return checked.path;
  }

  bytes(n: number): void {
    if (!this.budget.add(n)) throw new FetchFailure('TooLarge', `${this.what}: unpacks to more bytes than the cap allows`);
  }

  async directory(path: string): Promise<void> {
    if (path === '') return;
    await mkdir(join(this.root, path), { recursive: true, mode: 0o755 });
  }

  async file(path: string, mode: number): Promise<FileHandle> {
    if (path === '') throw this.unsafe('.', 'is a file at the root');
    await mkdir(dirname(join(this.root, path)), { recursive: true, mode: 0o755 });
    this.files += 1;
    // 'w' replaces an earlier entry of the same name, as tar does; no link exists yet to write through.
    return openFile(join(this.root, path), 'w', (mode & 0o111) !== 0 ? 0o755 : 0o644);
  }

  link(name: string, path: string, target: string): void {
    const checked = linkTarget(path, target);
    if (!checked.ok) throw this.unsafe(name, checked.why);
    this.links.push({ path, target });
  }

  /** Makes the links, then checks where each one really leads. */
  async finish(): Promise<Extracted> {
    for (const { path, target } of this.links) {
      await mkdir(dirname(join(this.root, path)), { recursive: true, mode: 0o755 });
      try {
        await symlink(target, join(this.root, path));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw this.unsafe(path, 'is a link in place of another entry');
        throw err;
      }
    }
    const root = await realpath(this.root);
    for (const { path } of this.links) {
      let resolved: string;
      try {
        resolved = await realpath(join(this.root, path));
      } catch {
        throw this.unsafe(path, `is a link to '${await readlink(join(this.root, path))}', which leads nowhere inside the archive`);
      }
      const rel = relative(root, resolved);
      if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw this.unsafe(path, 'links outside the destination');
    }
    return { files: this.files, bytes: this.budget.used.bytes };
  }
}

/** Why a tar.gz failed to parse: node-tar's errors (strict mode) and zlib's, or a header cut short. */
function invalidTar(what: string, err: unknown): FetchFailure | undefined {
  if (err instanceof FetchFailure) return err;
  if (!(err instanceof Error)) return undefined;
  const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  if (code?.startsWith('Z_')) return new FetchFailure('UnsafeArchive', `${what}: not a valid tar.gz archive (${code})`);
  if ('tarCode' in err && typeof err.tarCode === 'string') return new FetchFailure('UnsafeArchive', `${what}: not a valid tar.gz archive (${err.message})`);
  return undefined;
}

/**
 * `promise`, or a rejection with the signal's reason once it is aborted. The listener goes with the promise:
 * racing every chunk against one long-lived promise would keep every chunk reachable from it.
 */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

async function writeTarEntry(writer: EntryWriter, entry: ReadEntry, stop: AbortSignal): Promise<void> {
  const path = writer.path(entry.path);
  switch (entry.type) {
    case 'Directory':
      entry.resume();
      await writer.directory(path);
      return;
    case 'SymbolicLink':
      entry.resume();
      writer.link(entry.path, path, entry.linkpath ?? '');
      return;
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      break;
    case 'Link':
      throw writer.unsafe(entry.path, 'is a hard link (not supported)');
    default:
      throw writer.unsafe(entry.path, `is of a refused type (${entry.type})`);
  }
  const out = await writer.file(path, entry.mode ?? 0o644);
  try {
    const chunks = entry[Symbol.asyncIterator]();
    for (let next = await unlessAborted(chunks.next(), stop); next.done !== true; next = await unlessAborted(chunks.next(), stop)) {
      writer.bytes(next.value.length);
      await out.write(next.value);
    }
  } finally {
    await out.close();
  }
}

/**
 * node-tar parses (ustar, pax, GNU long names; strict: a bad checksum or a cut-off body is an error); each
 * entry is then decided here, one at a time, and its data written as it comes: the parser is fed only as
 * fast as entries are written, so neither the archive nor an entry is held in memory.
 */
export async function extractTarGz(archive: string, into: string, what: string, limits: ArchiveLimits): Promise<Extracted> {
  const writer = new EntryWriter(into, what, limits);
  const failed = new AbortController();
  const fail = (err: unknown) => {
    if (!failed.signal.aborted) failed.abort(err);
  };
  let work: Promise<void> = Promise.resolve();
  let sawEnd = false;
  const parser = new Parser({
    strict: true,
    // Gzip is undone by node:zlib below; nothing else is taken for compression (and a second gzip
    // layer, which node-tar would undo too, is refused below).
    brotli: false,
    zstd: false,
    onReadEntry: (entry) => {
      work = work.then(() => (failed.signal.aborted ? undefined : writeTarEntry(writer, entry, failed.signal))).catch(fail);
    },
  });
  parser.on('error', fail);
  // Entries node-tar skips: types it does not know, and pax or GNU long-name records over its 1 MiB bound.
  parser.on('ignoredEntry', (entry: ReadEntry) => fail(writer.unsafe(entry.path, entry.meta ? 'has an extended header that is too large' : `is of a refused type (${entry.type})`)));
  parser.on('eof', () => {
    sawEnd = true;
  });
  const file = createReadStream(archive);
  const gunzip = createGunzip();
  file.on('error', (err) => gunzip.destroy(err));
  try {
    let fed = 0;
    for await (const chunk of file.pipe(gunzip) as AsyncIterable<Buffer>) {
      // Past the two zero blocks that end the archive, node-tar would keep what follows: nothing is read there.
      if (failed.signal.aborted || sawEnd) break;
      if (fed === 0 && chunk[0] === 0x1f && chunk[1] === 0x8b) throw new FetchFailure('UnsafeArchive', `${what}: not a valid tar.gz archive (compressed twice)`);
      fed += chunk.length;
      if (!parser.write(chunk)) await once(parser, 'drain', { signal: failed.signal });
    }
    if (!failed.signal.aborted && !sawEnd) {
      // node-tar takes an archive that stops inside a header for one that ended; a whole number of blocks is required.
      if (fed % 512 !== 0) throw new FetchFailure('UnsafeArchive', `${what}: not a valid tar.gz archive (the archive is truncated)`);
      const ended = once(parser, 'end', { signal: failed.signal });
      parser.end();
      await ended;
    }
  } catch (err) {
    fail(err);
  } finally {
    file.destroy();
    gunzip.destroy();
  }
  await work;
  if (failed.signal.aborted) {
    const reason: unknown = failed.signal.reason;
    throw invalidTar(what, reason) ?? reason;
  }
  return writer.finish();
}

type FileNameDecoder = (generalPurposeBitFlag: number, fileNameBuffer: Buffer, extraFields: readonly { id: number; data: Buffer }[], strictFileNames: boolean) => string;
/**
 * yauzl's decoding of an entry's name on its own (the UTF-8 flag, else CP437; the Info-ZIP Unicode path field),
 * which @types/yauzl 2.10 does not list. Strict: backslashes are kept, for archive-paths.ts to refuse.
 */
const decodeFileName = (yauzl as unknown as { getFileNameLowLevel: FileNameDecoder }).getFileNameLowLevel;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
/** A zip symbolic link's target is its data: read whole, so bounded. */
const MAX_ZIP_LINK = 4096;

function invalidZip(what: string, err: unknown): FetchFailure | undefined {
  if (err instanceof FetchFailure) return err;
  if (!(err instanceof Error)) return undefined;
  const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  if (code?.startsWith('Z_')) return new FetchFailure('UnsafeArchive', `${what}: not a valid zip archive (${code})`);
  // yauzl's own errors carry no code: a bad signature, a size that does not match, an unsupported feature.
  if (code === undefined && err.name === 'Error') return new FetchFailure('UnsafeArchive', `${what}: not a valid zip archive (${err.message})`);
  return undefined;
}

function openZip(archive: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    // Names are decoded and judged here (archive-paths.ts), not by yauzl, so a refused name fails as UnsafeArchive
    // with its reason; sizes are checked by yauzl against the central directory, CRC-32s below.
    yauzl.open(archive, { lazyEntries: true, autoClose: false, decodeStrings: false, strictFileNames: true, validateEntrySizes: true }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

/** The next entry of the central directory, or undefined at its end. */
async function nextZipEntry(zip: ZipFile): Promise<Entry | undefined> {
  const done = new AbortController();
  zip.readEntry();
  try {
    const [entry] = (await Promise.race([once(zip, 'entry', { signal: done.signal }), once(zip, 'end', { signal: done.signal })])) as [Entry | undefined];
    return entry;
  } finally {
    done.abort();
  }
}

function zipData(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (err, stream) => (err ? reject(err) : resolve(stream))));
}

async function writeZipEntry(zip: ZipFile, writer: EntryWriter, entry: Entry): Promise<void> {
  const raw: unknown = entry.fileName;
  const name = Buffer.isBuffer(raw) ? decodeFileName(entry.generalPurposeBitFlag, raw, entry.extraFields, true) : String(raw);
  const target = writer.path(name);
  if (entry.isEncrypted()) throw writer.unsafe(name, 'is encrypted (not supported)');
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) throw writer.unsafe(name, `uses compression method ${entry.compressionMethod} (stored and deflate only)`);
  // Unix mode when the archive was made on Unix, else 0.
  const mode = entry.versionMadeBy >>> 8 === 3 ? entry.externalFileAttributes >>> 16 : 0;
  const type = mode & S_IFMT;
  if (type !== 0 && type !== S_IFREG && type !== S_IFLNK && type !== S_IFDIR) throw writer.unsafe(name, 'is of a refused type');
  if (name.endsWith('/') || type === S_IFDIR) {
    await writer.directory(target);
    return;
  }
  if (type === S_IFLNK) {
    if (entry.uncompressedSize > MAX_ZIP_LINK) throw writer.unsafe(name, 'is a link with a too long target');
    const parts: Buffer[] = [];
    for await (const chunk of await zipData(zip, entry)) parts.push(chunk as Buffer);
    writer.link(name, target, Buffer.concat(parts).toString('utf8'));
    return;
  }
  const out = await writer.file(target, mode);
  let crc = 0;
  try {
    for await (const chunk of await zipData(zip, entry)) {
      const data = chunk as Buffer;
      writer.bytes(data.length);
      crc = crc32(data, crc);
      await out.write(data);
    }
  } finally {
    await out.close();
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) throw new FetchFailure('UnsafeArchive', `${writer.what}: not a valid zip archive ('${name}' fails its CRC-32 check)`);
}

/** yauzl reads the central directory (zip64 included) one entry at a time and streams each entry's data. */
export async function extractZip(archive: string, into: string, what: string, limits: ArchiveLimits): Promise<Extracted> {
  const writer = new EntryWriter(into, what, limits);
  let zip: ZipFile | undefined;
  try {
    zip = await openZip(archive);
    for (let entry = await nextZipEntry(zip); entry !== undefined; entry = await nextZipEntry(zip)) await writeZipEntry(zip, writer, entry);
  } catch (err) {
    throw invalidZip(what, err) ?? err;
  } finally {
    zip?.close();
  }
  return writer.finish();
}

export async function extractArchive(kind: 'tar.gz' | 'zip', archive: string, into: string, what: string, limits: ArchiveLimits): Promise<Extracted> {
  return kind === 'tar.gz' ? extractTarGz(archive, into, what, limits) : extractZip(archive, into, what, limits);
}
