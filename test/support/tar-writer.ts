// Builds tar archives byte by byte for tests, hostile ones included (names with '..', absolute paths,
// links out, device entries), which the tar command would refuse or rewrite.
import { gzipSync } from 'node:zlib';

export interface TarSpec {
  readonly name: string;
  /** '0' file (default), '5' folder, '2' symbolic link, '1' hard link, '3' character device, ... */
  readonly type?: string;
  readonly body?: string | Uint8Array;
  readonly linkName?: string;
  readonly mode?: number;
  /** Adds a pax header carrying the name (for names over 100 bytes). */
  readonly pax?: boolean;
  /** Adds a GNU 'L' long-name entry carrying the name. */
  readonly gnuLongName?: boolean;
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function header(name: string, type: string, size: number, linkName: string, mode: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(name.slice(0, 100), 0, 'utf8');
  block.write(octal(mode, 8), 100, 'latin1');
  block.write(octal(0, 8), 108, 'latin1');
  block.write(octal(0, 8), 116, 'latin1');
  block.write(octal(size, 12), 124, 'latin1');
  block.write(octal(0, 12), 136, 'latin1');
  block.write(type, 156, 'latin1');
  block.write(linkName.slice(0, 100), 157, 'utf8');
  block.write('ustar\x0000', 257, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

function padded(body: Uint8Array): Buffer {
  const pad = (512 - (body.length % 512)) % 512;
  return Buffer.concat([body, Buffer.alloc(pad)]);
}

function paxRecord(key: string, value: string): string {
  const base = ` ${key}=${value}\n`;
  let length = base.length + 1;
  while (`${length}${base}`.length !== length) length += 1;
  return `${length}${base}`;
}

export function tarEntries(specs: readonly TarSpec[]): Buffer {
  const blocks: Buffer[] = [];
  for (const spec of specs) {
    const body = spec.body === undefined ? Buffer.alloc(0) : Buffer.from(spec.body);
    const type = spec.type ?? '0';
    if (spec.pax) {
      const record = Buffer.from(paxRecord('path', spec.name));
      blocks.push(header('PaxHeader', 'x', record.length, '', 0o644), padded(record));
    }
    if (spec.gnuLongName) {
      const name = Buffer.from(`${spec.name}\0`);
      blocks.push(header('././@LongLink', 'L', name.length, '', 0o644), padded(name));
    }
    blocks.push(header(spec.name, type, type === '0' ? body.length : 0, spec.linkName ?? '', spec.mode ?? (type === '5' ? 0o755 : 0o644)));
    if (type === '0') blocks.push(padded(body));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function tarGz(specs: readonly TarSpec[]): Buffer {
  return gzipSync(tarEntries(specs));
}
