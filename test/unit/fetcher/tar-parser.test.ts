import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parsePax, TarFormatError, TarParser, type TarEvent, type TarHeader } from '../../../src/fetcher/tar-parser.ts';
import { tarEntries } from '../../support/tar-writer.ts';

interface Parsed {
  readonly header: TarHeader;
  readonly body: string;
}

function parse(archive: Uint8Array, chunkSize = archive.length): Parsed[] {
  const parser = new TarParser();
  const events: TarEvent[] = [];
  for (let at = 0; at < archive.length; at += chunkSize) events.push(...parser.push(archive.subarray(at, at + chunkSize)));
  events.push(...parser.finish());
  const out: { header: TarHeader; parts: Uint8Array[] }[] = [];
  let ended = 0;
  for (const e of events) {
    if (e.kind === 'entry') out.push({ header: e.header, parts: [] });
    else if (e.kind === 'data') out.at(-1)!.parts.push(e.chunk);
    else if (e.kind === 'end') ended += 1;
  }
  assert.equal(ended, 1, 'one end event');
  assert.equal(events.filter((e) => e.kind === 'entry').length, events.filter((e) => e.kind === 'entryEnd').length, 'every entry ends');
  return out.map((o) => ({ header: o.header, body: Buffer.concat(o.parts).toString('utf8') }));
}

void test('files, folders and links with their data, whatever the chunk size', () => {
  const archive = tarEntries([
    { name: 'model/', type: '5' },
    { name: 'model/weights.bin', body: 'x'.repeat(1500), mode: 0o755 },
    { name: 'model/empty', body: '' },
    { name: 'model/latest', type: '2', linkName: 'weights.bin' },
  ]);
  const whole = parse(archive);
  assert.deepEqual(whole.map((p) => [p.header.name, p.header.type, p.header.size, p.body.length, p.header.linkName]), [
    ['model/', 'directory', 0, 0, ''],
    ['model/weights.bin', 'file', 1500, 1500, ''],
    ['model/empty', 'file', 0, 0, ''],
    ['model/latest', 'symlink', 0, 0, 'weights.bin'],
  ]);
  assert.equal(whole[1]!.header.mode, 0o755);
  for (const size of [1, 7, 511, 512, 513, 4096]) assert.deepEqual(parse(archive, size), whole, `chunks of ${size}`);
});

void test('hostile names come out as written, for archive-paths to judge', () => {
  const names = parse(tarEntries([{ name: '../escape', body: 'x' }, { name: '/etc/cron.d/x', body: 'y' }, { name: 'link', type: '2', linkName: '/etc/passwd' }]));
  assert.deepEqual(names.map((p) => p.header.name), ['../escape', '/etc/cron.d/x', 'link']);
  assert.equal(names[2]!.header.linkName, '/etc/passwd');
});

void test('hard links, devices and fifos are typed so the extractor can refuse them', () => {
  const types = parse(tarEntries([{ name: 'h', type: '1', linkName: 'a' }, { name: 'dev', type: '3' }, { name: 'fifo', type: '6' }]));
  assert.deepEqual(types.map((p) => p.header.type), ['hardlink', 'other', 'other']);
});

void test('long names from pax and GNU headers', () => {
  const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
  const parsed = parse(tarEntries([{ name: long, body: 'p', pax: true }, { name: `${long}2`, body: 'g', gnuLongName: true }]));
  assert.deepEqual(parsed.map((p) => [p.header.name, p.body]), [[long, 'p'], [`${long}2`, 'g']]);
});

void test('reads what GNU tar writes (long names, links, pax)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tar-parser-'));
  try {
    const deep = join('m', 'a'.repeat(80), 'b'.repeat(80));
    mkdirSync(join(dir, deep), { recursive: true });
    writeFileSync(join(dir, deep, 'w.bin'), 'weights');
    symlinkSync('w.bin', join(dir, deep, 'latest'));
    for (const format of ['gnu', 'pax', 'ustar']) {
      const archive = execFileSync('tar', [`--format=${format}`, '-C', dir, '-cf', '-', 'm']);
      const parsed = parse(archive, 1000);
      const file = parsed.find((p) => p.header.name.endsWith('/w.bin'));
      assert.equal(file?.header.name, `${deep}/w.bin`, format);
      assert.equal(file?.body, 'weights');
      assert.equal(parsed.find((p) => p.header.type === 'symlink')?.header.linkName, 'w.bin');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test('a wrong checksum, a truncated archive and a bad pax record are errors', () => {
  const archive = tarEntries([{ name: 'a', body: 'hello' }]);
  const corrupt = Buffer.from(archive);
  corrupt[0] = 0x41;
  assert.throws(() => new TarParser().push(corrupt), TarFormatError);
  const truncated = new TarParser();
  truncated.push(archive.subarray(0, 600));
  assert.throws(() => truncated.finish(), /truncated/);
  assert.throws(() => parsePax(Buffer.from('99 path=x\n')), TarFormatError);
  assert.throws(() => new TarParser().push(Buffer.from('not a tar archive'.padEnd(512, '!'))), TarFormatError);
});

void test('an archive without end blocks ends at a block boundary; bytes after the end are ignored', () => {
  const archive = tarEntries([{ name: 'a', body: 'hello' }]);
  assert.equal(parse(archive.subarray(0, 1024)).length, 1);
  assert.equal(parse(Buffer.concat([archive, Buffer.from('trailing garbage')])).length, 1);
});
