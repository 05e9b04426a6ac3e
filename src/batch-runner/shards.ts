// Which part of the input a shard reads. Every shard lists the input the same way and computes its own
// part, so no coordinator is needed. Pure.
import { isAscii } from 'node:buffer';

export interface InputFile {
  /** Key relative to the input URI ('' parts joined by '/'); sorted order is the input's order. */
  readonly file: string;
  readonly size: number;
}

/** A byte range [start, end) of one text file: the shard owns every line whose first byte lies in it. */
export interface ByteRange {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

/** Text input (jsonl, csv): the concatenated bytes cut into `shards` ranges of nearly equal size. */
export function textRanges(files: readonly InputFile[], shards: number, shard: number): ByteRange[] {
  const total = files.reduce((s, f) => s + f.size, 0);
  const from = Math.floor((total * shard) / shards);
  const to = Math.floor((total * (shard + 1)) / shards);
  const out: ByteRange[] = [];
  let base = 0;
  for (const f of files) {
    const start = Math.max(from, base) - base;
    const end = Math.min(to, base + f.size) - base;
    if (start < end) out.push({ file: f.file, start, end });
    base += f.size;
  }
  return out;
}

export interface RowGroupRef {
  readonly file: string;
  /** Index of the row group in its file. */
  readonly index: number;
  /** Index of its first row in the file. */
  readonly rowStart: number;
  readonly rows: number;
}

/** Parquet: the row groups whose first row (counted across all files) lies in the shard's contiguous range. */
export function rowGroupsOf(groups: readonly RowGroupRef[], shards: number, shard: number): RowGroupRef[] {
  const total = groups.reduce((s, g) => s + g.rows, 0);
  const from = Math.floor((total * shard) / shards);
  const to = Math.floor((total * (shard + 1)) / shards);
  const out: RowGroupRef[] = [];
  let base = 0;
  for (const g of groups) {
    if (base >= from && base < to) out.push(g);
    base += g.rows;
  }
  return out;
}

export interface Line {
  /** The file the line is in, as RangeLines was given it (a record's position: one object for both). */
  readonly file: string;
  /** Byte offset of the line's first byte in the file. */
  readonly offset: number;
  /** The line decoded as UTF-8, without its '\n' (and without a trailing '\r'). */
  readonly text: string;
}

const NL = 0x0a;
const CR = 0x0d;
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The bytes [from, to) of `chunk` as text, a trailing '\r' dropped: a slice of `whole` (the chunk as text, when it is ASCII) or decoded. */
function lineText(chunk: Uint8Array, whole: string | undefined, from: number, to: number): string {
  const end = to > from && chunk[to - 1] === CR ? to - 1 : to;
  return whole !== undefined ? whole.slice(from, end) : utf8.decode(chunk.subarray(from, end));
}

/**
 * Splits the bytes of a file read from `readFrom` = max(0, start - 1) into the lines owned by [start, end):
 * the byte before `start` tells whether the first line there starts a line or finishes one owned by the
 * shard before. Push chunks in order; `done` turns true once no further byte can yield an owned line.
 *
 * An ASCII chunk (numbers as JSON or CSV) is decoded once and its lines are slices of that string: a view
 * and a decode per line cost more than the rest of the line's parsing. Other chunks are decoded a line at a
 * time; a line across chunks is gathered as bytes and decoded whole.
 */
export class RangeLines {
  readonly file: string;
  readonly start: number;
  readonly end: number;
  readonly readFrom: number;
  private pos: number;
  /** Offset of the line being gathered, or -1 while skipping a line the shard does not own. */
  private lineStart: number;
  /** The bytes of a line begun in an earlier chunk. */
  private readonly pending: Uint8Array[] = [];
  done = false;

  constructor(start: number, end: number, file = '') {
    this.file = file;
    this.start = start;
    this.end = end;
    this.readFrom = Math.max(0, start - 1);
    this.pos = this.readFrom;
    this.lineStart = start === 0 ? 0 : -2; // -2: the byte before start is still to be seen
  }

  push(chunk: Uint8Array): Line[] {
    const lines: Line[] = [];
    let i = 0;
    if (this.done) return lines;
    if (this.lineStart === -2 && chunk.length > 0) {
      this.lineStart = chunk[0] === NL ? this.start : -1;
      i = 1;
      this.pos += 1;
    }
    let whole: string | undefined;
    let decided = false;
    let segment = i;
    for (i = chunk.indexOf(NL, i); i !== -1; i = chunk.indexOf(NL, i + 1)) {
      const nextStart = this.pos + (i - segment) + 1;
      if (this.lineStart >= 0) {
        if (this.pending.length > 0) {
          this.pending.push(chunk.subarray(segment, i));
          lines.push({ file: this.file, offset: this.lineStart, text: this.take() });
        } else {
          if (!decided) {
            decided = true;
            if (isAscii(chunk)) whole = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
          }
          lines.push({ file: this.file, offset: this.lineStart, text: lineText(chunk, whole, segment, i) });
        }
      }
      this.pos = nextStart;
      segment = i + 1;
      if (nextStart >= this.end) {
        this.done = true;
        return lines;
      }
      this.lineStart = nextStart;
    }
    if (this.lineStart >= 0 && segment < chunk.length) this.pending.push(chunk.slice(segment));
    this.pos += chunk.length - segment;
    return lines;
  }

  /** At the end of the file: the last line when it has no newline. */
  finish(): Line[] {
    if (this.done) return [];
    this.done = true;
    if (this.lineStart >= 0 && this.lineStart < this.end && this.pos > this.lineStart) return [{ file: this.file, offset: this.lineStart, text: this.take() }];
    return [];
  }

  private take(): string {
    const parts = this.pending;
    const length = parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    parts.length = 0;
    return lineText(out, undefined, 0, out.length);
  }
}
