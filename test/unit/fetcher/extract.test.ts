// The fetcher's unpacking (src/fetcher/extract.ts) on real files: tar.gz archives built byte by byte
// (hostile ones included), by GNU tar and cut or corrupted; zip archives written by Python's zipfile.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { FetchFailureClass } from '../../../src/fetcher/exit-codes.ts';
import { extractArchive, type Extracted } from '../../../src/fetcher/extract.ts';
import { FetchFailure } from '../../../src/fetcher/failure.ts';
import { tarEntries, tarGz, type TarSpec } from '../../support/tar-writer.ts';
import { fileTree } from '../../support/file-tree.ts';

const work = mkdtempSync(join(tmpdir(), 'extract-'));
after(() => rmSync(work, { recursive: true, force: true }));
const LIMITS = { maxEntries: 1000, maxBytes: 64 * 1024 * 1024 };

let n = 0;
/** Writes `archive` to a file and unpacks it into a fresh folder. */
async function unpack(kind: 'tar.gz' | 'zip', archive: Uint8Array, limits = LIMITS): Promise<{ dir: string; result: Extracted }> {
  const file = join(work, `archive-${++n}.${kind}`);
  writeFileSync(file, archive);
  const dir = join(work, `out-${n}`);
  mkdirSync(dir);
  return { dir, result: await extractArchive(kind, file, dir, 'test-archive', limits) };
}

async function refused(kind: 'tar.gz' | 'zip', archive: Uint8Array, cls: FetchFailureClass, text: RegExp, limits = LIMITS): Promise<void> {
  await assert.rejects(unpack(kind, archive, limits), (err: unknown) => {
    assert.ok(err instanceof FetchFailure, `a FetchFailure, not ${String(err)}`);
    assert.equal(err.cls, cls, err.message);
    assert.match(err.message, text);
    return true;
  });
}

const tree = fileTree;

void test('tar.gz: files, folders, modes and links, with data larger than any chunk', async () => {
  const big = randomBytes(3 * 1024 * 1024 + 123);
  const { dir, result } = await unpack('tar.gz', tarGz([
    { name: 'model/', type: '5' },
    { name: 'model/weights.bin', body: big },
    { name: 'model/empty', body: '' },
    { name: 'model/latest', type: '2', linkName: 'weights.bin' },
    { name: 'bin/run.sh', body: '#!/bin/sh\n', mode: 0o755 },
    { name: 'old-style-dir/', type: '0' },
  ]));
  assert.deepEqual(tree(dir), ['bin/', 'bin/run.sh', 'model/', 'model/empty', 'model/latest -> weights.bin', 'model/weights.bin', 'old-style-dir/']);
  assert.ok(readFileSync(join(dir, 'model', 'latest')).equals(big));
  assert.equal(lstatSync(join(dir, 'bin', 'run.sh')).mode & 0o777, 0o755);
  assert.equal(lstatSync(join(dir, 'model', 'empty')).mode & 0o777, 0o644);
  assert.deepEqual(result, { files: 3, bytes: big.length + 10 });
});

void test('tar.gz: hostile names and links are refused, not stripped', async () => {
  const cases: [TarSpec[], RegExp][] = [
    [[{ name: 'ok', body: 'x' }, { name: '../escape', body: 'x' }], /entry '\.\.\/escape' has a '\.\.' segment/],
    [[{ name: 'a/../../escape', body: 'x' }], /has a '\.\.' segment/],
    [[{ name: '/etc/cron.d/x', body: 'x' }], /entry '\/etc\/cron\.d\/x' is an absolute path/],
    [[{ name: 'C:/x', body: 'x' }], /drive letter/],
    [[{ name: 'a\\..\\x', body: 'x' }], /backslash/],
    [[{ name: 'link', type: '2', linkName: '/etc/passwd' }], /links to an absolute path/],
    [[{ name: 'a/link', type: '2', linkName: '../../x' }], /links outside the destination/],
    [[{ name: 'here', type: '2', linkName: '.' }, { name: 'out', type: '2', linkName: 'here/../outside' }], /entry 'out'.*(links outside the destination|leads nowhere)/],
    [[{ name: 'gone', type: '2', linkName: 'missing' }], /leads nowhere/],
    [[{ name: 'x', type: '5' }, { name: 'x', type: '2', linkName: 'y' }], /is a link in place of another entry/],
    [[{ name: `${'../'.repeat(40)}etc/x`, body: 'p', pax: true }], /has a '\.\.' segment/],
    [[{ name: `/${'d'.repeat(150)}`, body: 'g', gnuLongName: true }], /is an absolute path/],
  ];
  for (const [specs, text] of cases) await refused('tar.gz', tarGz(specs), 'UnsafeArchive', text);
  assert.deepEqual(readdirSync(work).filter((f) => f === 'escape'), []);
});

void test('tar.gz: hard links, devices, fifos and unknown types are refused', async () => {
  await refused('tar.gz', tarGz([{ name: 'a', body: 'x' }, { name: 'h', type: '1', linkName: 'a' }]), 'UnsafeArchive', /entry 'h' is a hard link/);
  for (const type of ['3', '4', '6', 'D', 'S', 'Z']) await refused('tar.gz', tarGz([{ name: 'dev', type }]), 'UnsafeArchive', /entry 'dev' is of a refused type/);
});

void test('tar.gz: long names from pax and GNU headers', async () => {
  const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
  const { dir } = await unpack('tar.gz', tarGz([{ name: long, body: 'p', pax: true }, { name: `${long}2`, body: 'g', gnuLongName: true }]));
  assert.equal(readFileSync(join(dir, long), 'utf8'), 'p');
  assert.equal(readFileSync(join(dir, `${long}2`), 'utf8'), 'g');
});

void test('tar.gz: what GNU tar writes (gnu, pax, ustar; long names, links)', async () => {
  const src = mkdtempSync(join(work, 'src-'));
  const deep = join('m', 'a'.repeat(80), 'b'.repeat(80));
  mkdirSync(join(src, deep), { recursive: true });
  writeFileSync(join(src, deep, 'w.bin'), 'weights');
  symlinkSync('w.bin', join(src, deep, 'latest'));
  for (const format of ['gnu', 'pax', 'ustar', 'oldgnu', 'posix']) {
    const archive = execFileSync('tar', [`--format=${format}`, '-C', src, '-czf', '-', 'm']);
    const { dir } = await unpack('tar.gz', archive);
    assert.equal(readFileSync(join(dir, deep, 'w.bin'), 'utf8'), 'weights', format);
    assert.equal(readlinkSync(join(dir, deep, 'latest')), 'w.bin', format);
  }
});

void test('tar.gz: a bad checksum, a cut-off archive, data that is not tar or not gzip fail as UnsafeArchive', async () => {
  const archive = tarEntries([{ name: 'a', body: 'hello' }, { name: 'b', body: 'x'.repeat(2000) }]);
  const corrupt = Buffer.from(archive);
  corrupt[0] = 0x41;
  const invalid = /not a valid tar\.gz archive/;
  await refused('tar.gz', gzipSync(corrupt), 'UnsafeArchive', invalid);
  // Cut inside the second entry's data, inside its header, and inside the gzip stream itself.
  await refused('tar.gz', gzipSync(archive.subarray(0, 1024 + 512 + 600)), 'UnsafeArchive', invalid);
  await refused('tar.gz', gzipSync(archive.subarray(0, 1024 + 300)), 'UnsafeArchive', /truncated/);
  const gz = gzipSync(archive);
  await refused('tar.gz', gz.subarray(0, gz.length - 20), 'UnsafeArchive', invalid);
  await refused('tar.gz', gzipSync(Buffer.from('not a tar archive'.padEnd(2048, '!'))), 'UnsafeArchive', invalid);
  await refused('tar.gz', Buffer.from('this is not gzip at all'), 'UnsafeArchive', /not a valid tar\.gz archive \(Z_DATA_ERROR\)/);
  await refused('tar.gz', archive, 'UnsafeArchive', invalid);
  await refused('tar.gz', gzipSync(gzipSync(archive)), 'UnsafeArchive', /compressed twice/);
});

void test('tar.gz: an archive without end blocks ends at a block boundary; what follows the end is not read', async () => {
  const archive = tarEntries([{ name: 'a', body: 'hello' }]);
  assert.deepEqual(tree((await unpack('tar.gz', gzipSync(archive.subarray(0, 1024)))).dir), ['a']);
  const trailing = Buffer.concat([archive, Buffer.from('trailing garbage'), Buffer.alloc(5 * 1024 * 1024, 'g')]);
  assert.deepEqual(tree((await unpack('tar.gz', gzipSync(trailing))).dir), ['a']);
  assert.deepEqual(tree((await unpack('tar.gz', gzipSync(Buffer.alloc(1024)))).dir), []);
});

void test('tar.gz: the entry and byte caps', async () => {
  const many = tarGz(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, body: 'x' })));
  await refused('tar.gz', many, 'TooLarge', /more entries than the cap allows/, { maxEntries: 10, maxBytes: 1000 });
  assert.equal((await unpack('tar.gz', many, { maxEntries: 20, maxBytes: 20 })).result.files, 20);
  const bomb = tarGz([{ name: 'zeros', body: Buffer.alloc(10 * 1024 * 1024) }]);
  await refused('tar.gz', bomb, 'TooLarge', /unpacks to more bytes than the cap allows/, { maxEntries: 10, maxBytes: 1024 * 1024 });
});

/** Runs Python's zipfile: `script` gets `z`, a ZipFile being written, and `zipfile`. */
function zip(script: string): Buffer {
  const file = join(work, `py-${++n}.zip`);
  execFileSync('python3', ['-c', `import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n${script.replace(/^/gm, '    ')}`, file]);
  return readFileSync(file);
}

const unixLink = (name: string, target: string) => `i = zipfile.ZipInfo(${JSON.stringify(name)}); i.create_system = 3; i.external_attr = 0o120777 << 16; z.writestr(i, ${JSON.stringify(target)})`;

void test('zip: files, folders, modes and a link inside', async () => {
  const { dir, result } = await unpack('zip', zip(`z.writestr('model/', '')
z.writestr('model/weights.bin', 'z' * 300000)
z.writestr('model/empty', '')
i = zipfile.ZipInfo('bin/run.sh'); i.create_system = 3; i.external_attr = 0o100755 << 16; z.writestr(i, '#!/bin/sh\\n')
z.writestr('stored.txt', 'plain', compress_type=zipfile.ZIP_STORED)
${unixLink('model/latest', 'weights.bin')}`));
  assert.deepEqual(tree(dir), ['bin/', 'bin/run.sh', 'model/', 'model/empty', 'model/latest -> weights.bin', 'model/weights.bin', 'stored.txt']);
  assert.equal(readFileSync(join(dir, 'model', 'latest'), 'utf8'), 'z'.repeat(300000));
  assert.equal(lstatSync(join(dir, 'bin', 'run.sh')).mode & 0o777, 0o755);
  assert.equal(readFileSync(join(dir, 'stored.txt'), 'utf8'), 'plain');
  assert.deepEqual(result, { files: 4, bytes: 300000 + 10 + 5 });
});

void test('zip: hostile names and links are refused by the fetcher, with its reasons', async () => {
  const cases: [string, RegExp][] = [
    ["z.writestr('ok.txt', 'fine'); z.writestr('../../evil.txt', 'escaped')", /entry '\.\.\/\.\.\/evil\.txt' has a '\.\.' segment/],
    ["z.writestr('/etc/evil', 'x')", /entry '\/etc\/evil' is an absolute path/],
    ["z.writestr('C:/evil', 'x')", /drive letter/],
    ["z.writestr('a\\\\..\\\\..\\\\evil', 'x')", /backslash/],
    [unixLink('passwd', '../../../etc/passwd'), /links outside the destination/],
    [unixLink('abs', '/etc/passwd'), /links to an absolute path/],
    ["i = zipfile.ZipInfo('fifo'); i.create_system = 3; i.external_attr = 0o010644 << 16; z.writestr(i, '')", /entry 'fifo' is of a refused type/],
    [unixLink('long', 'x'.repeat(5000)), /too long target/],
  ];
  for (const [script, text] of cases) await refused('zip', zip(script), 'UnsafeArchive', text);
});

void test('zip: a bad CRC, a wrong size, another method, cut-off or foreign data fail as UnsafeArchive', async () => {
  const good = zip("z.writestr('a.txt', 'hello world', compress_type=zipfile.ZIP_STORED)");
  const flipped = Buffer.from(good);
  flipped[good.indexOf('hello world')] = 0x48;
  await refused('zip', flipped, 'UnsafeArchive', /'a\.txt' fails its CRC-32 check/);
  await refused('zip', good.subarray(0, good.length - 10), 'UnsafeArchive', /not a valid zip archive/);
  await refused('zip', Buffer.from('not a zip file at all'), 'UnsafeArchive', /not a valid zip archive/);
  await refused('zip', zip("z.writestr('b.bin', 'b' * 1000, compress_type=zipfile.ZIP_BZIP2)"), 'UnsafeArchive', /uses compression method 12/);
  const deflated = zip("z.writestr('c.bin', 'c' * 100000)");
  const cd = deflated.lastIndexOf(Buffer.from('PK\x01\x02', 'latin1'));
  const smaller = Buffer.from(deflated);
  smaller.writeUInt32LE(99999, cd + 24);
  await refused('zip', smaller, 'UnsafeArchive', /not a valid zip archive/);
});

void test('zip: the entry and byte caps', async () => {
  const many = zip("for i in range(20): z.writestr(f'f{i}', 'x')");
  await refused('zip', many, 'TooLarge', /more entries than the cap allows/, { maxEntries: 10, maxBytes: 1000 });
  await refused('zip', zip("z.writestr('zeros', b'\\0' * 10000000)"), 'TooLarge', /unpacks to more bytes than the cap allows/, { maxEntries: 10, maxBytes: 1024 * 1024 });
});
