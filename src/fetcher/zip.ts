// A zip reader over a downloaded file: the central directory (zip64 included) says what the archive holds;
// each entry is stored or deflated, its CRC-32 checked. Encrypted entries and other methods are refused.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInflateRaw, crc32 } from 'node:zlib';
import type { EntryWriter, Extracted } from './extract.ts';
import { FetchFailure } from './failure.ts';

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
  /** Unix mode when the archive was made on Unix, else 0. */
  readonly mode: number;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

function invalid(what: string, why: string): FetchFailure {
  return new FetchFailure('UnsafeArchive', `${what}: not a valid zip archive (${why})`);
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await file.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

const u64 = (b: Buffer, at: number) => Number(b.readBigUInt64LE(at));

async function centralDirectory(file: FileHandle, what: string, maxEntries: number): Promise<ZipEntry[]> {
  const { size } = await file.stat();
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = await readAt(file, size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd === -1) throw invalid(what, 'no end of central directory');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locatorAt = size - tailLength + eocd - 20;
    const locator = locatorAt >= 0 ? await readAt(file, locatorAt, 20) : Buffer.alloc(0);
    if (locator.length < 20 || locator.readUInt32LE(0) !== 0x07064b50) throw invalid(what, 'no zip64 locator');
    const record = await readAt(file, u64(locator, 8), 56);
    if (record.length < 56 || record.readUInt32LE(0) !== 0x06064b50) throw invalid(what, 'no zip64 end record');
    count = u64(record, 32);
    cdSize = u64(record, 40);
    cdOffset = u64(record, 48);
  }
  if (count > maxEntries) throw new FetchFailure('TooLarge', `${what}: more entries than the cap allows`);
  if (cdOffset + cdSize > size) throw invalid(what, 'the central directory lies outside the file');
  const cd = await readAt(file, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50) throw invalid(what, 'a bad central directory entry');
    const madeOnUnix = cd.readUInt8(at + 5) === 3;
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const commentLength = cd.readUInt16LE(at + 32);
    let size32: number = cd.readUInt32LE(at + 24);
    let compressed: number = cd.readUInt32LE(at + 20);
    let offset: number = cd.readUInt32LE(at + 42);
    const nameEnd = at + 46 + nameLength;
    if (nameEnd + extraLength > cd.length) throw invalid(what, 'a central directory entry runs past its end');
    // zip64 extra field: the 64-bit values of the fields that are 0xffffffff, in this order.
    for (let x = nameEnd; x + 4 <= nameEnd + extraLength; ) {
      const id = cd.readUInt16LE(x);
      const length = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let p = x + 4;
        if (size32 === 0xffffffff) {
          size32 = u64(cd, p);
          p += 8;
        }
        if (compressed === 0xffffffff) {
          compressed = u64(cd, p);
          p += 8;
        }
        if (offset === 0xffffffff) offset = u64(cd, p);
      }
      x += 4 + length;
    }
    entries.push({
      name: cd.subarray(at + 46, nameEnd).toString('utf8'),
      flags: cd.readUInt16LE(at + 8),
      method: cd.readUInt16LE(at + 10),
      crc: cd.readUInt32LE(at + 16),
      compressedSize: compressed,
      size: size32,
      localOffset: offset,
      mode: madeOnUnix ? cd.readUInt32LE(at + 38) >>> 16 : 0,
    });
    at = nameEnd + extraLength + commentLength;
  }
  return entries;
}

async function entryData(file: FileHandle, path: string, entry: ZipEntry, what: string): Promise<AsyncIterable<Uint8Array>> {
  const local = await readAt(file, entry.localOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) throw invalid(what, `no local header for '${entry.name}'`);
  const start = entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (entry.compressedSize === 0) return (async function* () {})();
  const raw = createReadStream(path, { start, end: start + entry.compressedSize - 1 });
  return entry.method === 8 ? raw.pipe(createInflateRaw()) : raw;
}

export async function extractZip(path: string, writer: EntryWriter, what: string): Promise<Extracted> {
  const file = await open(path, 'r');
  try {
    const entries = await centralDirectory(file, what, Number.MAX_SAFE_INTEGER);
    for (const entry of entries) {
      const target = writer.path(entry.name);
      if ((entry.flags & 1) !== 0) throw writer.unsafe(entry.name, 'is encrypted (not supported)');
      if (entry.method !== 0 && entry.method !== 8) throw writer.unsafe(entry.name, `uses compression method ${entry.method} (stored and deflate only)`);
      const type = entry.mode & S_IFMT;
      const isDir = entry.name.endsWith('/') || type === S_IFDIR;
      if (type !== 0 && type !== S_IFREG && type !== S_IFLNK && type !== S_IFDIR) throw writer.unsafe(entry.name, 'is of a refused type');
      if (isDir) {
        await writer.directory(target);
        continue;
      }
      if (type === S_IFLNK) {
        if (entry.size > 4096) throw writer.unsafe(entry.name, 'is a link with a too long target');
        const parts: Uint8Array[] = [];
        for await (const chunk of await entryData(file, path, entry, what)) parts.push(chunk);
        writer.link(entry.name, target, Buffer.concat(parts).toString('utf8'));
        continue;
      }
      const out = await writer.file(target, entry.mode);
      let crc = 0;
      let written = 0;
      try {
        for await (const chunk of await entryData(file, path, entry, what)) {
          written += chunk.length;
          if (written > entry.size) throw invalid(what, `'${entry.name}' is longer than its header says`);
          writer.bytes(chunk.length);
          crc = crc32(chunk, crc);
          await out.write(chunk);
        }
      } catch (err) {
        if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('Z_')) throw invalid(what, `'${entry.name}': ${err.code}`);
        throw err;
      } finally {
        await out.close();
      }
      if (written !== entry.size || crc >>> 0 !== entry.crc) throw invalid(what, `'${entry.name}' fails its size or CRC-32 check`);
    }
  } finally {
    await file.close();
  }
  return writer.finish();
}
