// Which part of the input a shard reads. Every shard lists the input the same way and computes its own
// part, so no coordinator is needed. Pure.

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
  /** Byte offset of the line's first byte in the file. */
  readonly offset: number;
  /** The line's bytes without its '\n' (and without a trailing '\r'). */
  readonly bytes: Uint8Array;
}

const NL = 0x0a;

/**
 * Splits the bytes of a file read from `readFrom` = max(0, start - 1) into the lines owned by [start, end):
 * the byte before `start` tells whether the first line there starts a line or finishes one owned by the
 * shard before. Push chunks in order; `done` turns true once no further byte can yield an owned line.
 */
export class RangeLines {
  readonly start: number;
  readonly end: number;
  readonly readFrom: number;
  private pos: number;
  /** Offset of the line being gathered, or -1 while skipping a line the shard does not own. */
  private lineStart: number;
  private pending: Uint8Array[] = [];
  done = false;

  constructor(start: number, end: number) {
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
    let segment = i;
    for (; i < chunk.length; i++) {
      if (chunk[i] !== NL) continue;
      const nextStart = this.pos + (i - segment) + 1;
      if (this.lineStart >= 0) {
        this.pending.push(chunk.subarray(segment, i));
        lines.push({ offset: this.lineStart, bytes: this.take() });
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
    if (this.lineStart >= 0 && this.lineStart < this.end && this.pos > this.lineStart) return [{ offset: this.lineStart, bytes: this.take() }];
    return [];
  }

  private take(): Uint8Array {
    const parts = this.pending;
    this.pending = [];
    // A line within one chunk is a view of it, not a copy.
    if (parts.length === 1) {
      const only = parts[0]!;
      return only.length > 0 && only[only.length - 1] === 0x0d ? only.subarray(0, only.length - 1) : only;
    }
    const length = parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out.length > 0 && out[out.length - 1] === 0x0d ? out.subarray(0, out.length - 1) : out;
  }
}
