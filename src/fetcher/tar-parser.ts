// A streaming reader of tar (ustar, pax and GNU long names), fed with the decompressed bytes in chunks of
// any size: it says where each entry starts, hands out its data and says where the archive ends. Pure
// (no I/O); what an entry may do on disk is decided by archive-paths.ts and extract.ts.

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarHeader {
  readonly name: string;
  readonly type: TarEntryType;
  /** The raw type flag, for messages about refused types. */
  readonly typeFlag: string;
  readonly size: number;
  readonly linkName: string;
  readonly mode: number;
}

export type TarEvent =
  | { readonly kind: 'entry'; readonly header: TarHeader }
  | { readonly kind: 'data'; readonly chunk: Uint8Array }
  | { readonly kind: 'entryEnd' }
  | { readonly kind: 'end' };

export class TarFormatError extends Error {}

const BLOCK = 512;
/** pax and GNU long-name records are read whole: a bound keeps a hostile one from holding memory. */
const MAX_META = 1 << 20;

function cString(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end)).toString('utf8');
}

function numeric(block: Uint8Array, offset: number, length: number, what: string): number {
  const field = block.subarray(offset, offset + length);
  if ((field[0]! & 0x80) !== 0) {
    // GNU base-256: big-endian, the top bit of the first byte is the marker.
    let value = BigInt(field[0]! & 0x7f);
    for (const byte of field.subarray(1)) value = (value << 8n) | BigInt(byte);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new TarFormatError(`${what} is too large`);
    return Number(value);
  }
  const text = Buffer.from(field).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`${what} is not an octal number`);
  return parseInt(text, 8);
}

function checksumOk(block: Uint8Array): boolean {
  const stored = numeric(block, 148, 8, 'checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored;
}

function typeOf(flag: string, name: string): TarEntryType {
  if (flag === '0' || flag === '\0' || flag === '' || flag === '7') return name.endsWith('/') ? 'directory' : 'file';
  if (flag === '5') return 'directory';
  if (flag === '2') return 'symlink';
  if (flag === '1') return 'hardlink';
  return 'other';
}

/** pax extended header records: "<length> <key>=<value>\n". */
export function parsePax(body: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const buf = Buffer.from(body);
  let at = 0;
  while (at < buf.length) {
    const space = buf.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(buf.subarray(at, space).toString('latin1'));
    if (!Number.isInteger(length) || length <= space - at || at + length > buf.length) throw new TarFormatError('bad pax record');
    const record = buf.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return out;
}

type State =
  | { kind: 'header' }
  | { kind: 'data'; remaining: number; padding: number }
  | { kind: 'meta'; flag: string; remaining: number; padding: number; parts: Uint8Array[] }
  | { kind: 'padding'; remaining: number }
  | { kind: 'ended' };

export class TarParser {
  private state: State = { kind: 'header' };
  private pending: Uint8Array = new Uint8Array(0);
  private zeroBlocks = 0;
  /** From a pax 'x' record or GNU 'L'/'K' entries, for the next header only. */
  private next: { path?: string; linkPath?: string; size?: number } = {};

  get ended(): boolean {
    return this.state.kind === 'ended';
  }

  push(input: Uint8Array): TarEvent[] {
    const events: TarEvent[] = [];
    let chunk = input;
    while (chunk.length > 0 && this.state.kind !== 'ended') {
      const state = this.state;
      if (state.kind === 'data') {
        const n = Math.min(state.remaining, chunk.length);
        if (n > 0) events.push({ kind: 'data', chunk: chunk.subarray(0, n) });
        state.remaining -= n;
        chunk = chunk.subarray(n);
        if (state.remaining === 0) {
          events.push({ kind: 'entryEnd' });
          this.state = { kind: 'padding', remaining: state.padding };
        }
        continue;
      }
      if (state.kind === 'padding') {
        const n = Math.min(state.remaining, chunk.length);
        state.remaining -= n;
        chunk = chunk.subarray(n);
        if (state.remaining === 0) this.state = { kind: 'header' };
        continue;
      }
      if (state.kind === 'meta') {
        const n = Math.min(state.remaining, chunk.length);
        state.parts.push(chunk.subarray(0, n));
        state.remaining -= n;
        chunk = chunk.subarray(n);
        if (state.remaining === 0) {
          this.applyMeta(state.flag, Buffer.concat(state.parts));
          this.state = { kind: 'padding', remaining: state.padding };
        }
        continue;
      }
      // header: gather 512 bytes
      const need = BLOCK - this.pending.length;
      if (chunk.length < need) {
        this.pending = Buffer.concat([this.pending, chunk]);
        break;
      }
      const block = this.pending.length === 0 ? chunk.subarray(0, BLOCK) : Buffer.concat([this.pending, chunk.subarray(0, need)]);
      chunk = chunk.subarray(need);
      this.pending = new Uint8Array(0);
      events.push(...this.header(block));
      if (this.ended) events.push({ kind: 'end' });
    }
    return events;
  }

  /** Called at the end of the input: throws unless the archive was complete. */
  finish(): TarEvent[] {
    if (this.state.kind === 'ended') return [];
    // Some writers stop after one zero block, or none at all, at a block boundary: accept that.
    if (this.state.kind === 'header' && this.pending.length === 0) {
      this.state = { kind: 'ended' };
      return [{ kind: 'end' }];
    }
    throw new TarFormatError('the archive is truncated');
  }

  /** Every entry is followed by its data, if any, and an entryEnd. */
  private header(block: Uint8Array): TarEvent[] {
    if (block.every((b) => b === 0)) {
      this.zeroBlocks += 1;
      if (this.zeroBlocks >= 2) this.state = { kind: 'ended' };
      return [];
    }
    if (this.zeroBlocks > 0) throw new TarFormatError('a header follows an end-of-archive block');
    if (!checksumOk(block)) throw new TarFormatError('a header checksum is wrong (not a tar archive, or corrupt)');
    const flag = String.fromCharCode(block[156]!);
    const size = this.next.size ?? numeric(block, 124, 12, 'size');
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > MAX_META) throw new TarFormatError('an extended header is too large');
      if (size === 0) this.applyMeta(flag, new Uint8Array(0));
      this.state = size === 0 ? { kind: 'header' } : { kind: 'meta', flag, remaining: size, padding, parts: [] };
      return [];
    }
    const magic = Buffer.from(block.subarray(257, 263)).toString('latin1');
    const prefix = magic === 'ustar\0' ? cString(block, 345, 155) : '';
    const rawName = cString(block, 0, 100);
    const name = this.next.path ?? (prefix !== '' ? `${prefix}/${rawName}` : rawName);
    const linkName = this.next.linkPath ?? cString(block, 157, 100);
    this.next = {};
    const type = typeOf(flag, name);
    const header: TarHeader = { name, type, typeFlag: flag, size: type === 'file' ? size : 0, linkName, mode: numeric(block, 100, 8, 'mode') };
    // Only regular files carry data that is theirs; anything else's bytes are skipped.
    const entry: TarEvent = { kind: 'entry', header };
    if (type === 'file' && size > 0) {
      this.state = { kind: 'data', remaining: size, padding };
      return [entry];
    }
    this.state = size === 0 ? { kind: 'header' } : { kind: 'padding', remaining: size + padding };
    return [entry, { kind: 'entryEnd' }];
  }

  private applyMeta(flag: string, body: Uint8Array): void {
    if (flag === 'L') this.next.path = cString(body, 0, body.length);
    else if (flag === 'K') this.next.linkPath = cString(body, 0, body.length);
    else if (flag === 'x') {
      const pax = parsePax(body);
      const path = pax.get('path');
      const link = pax.get('linkpath');
      const size = pax.get('size');
      if (path !== undefined) this.next.path = path;
      if (link !== undefined) this.next.linkPath = link;
      if (size !== undefined) {
        if (!/^\d+$/.test(size) || Number(size) > Number.MAX_SAFE_INTEGER) throw new TarFormatError('bad pax size');
        this.next.size = Number(size);
      }
    }
    // 'g' (global pax) carries nothing the extractor uses.
  }
}
