import assert from 'node:assert/strict';
import { posix } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { ArchiveBudget, archiveKind, entryPath, linkTarget } from '../../../src/fetcher/archive-paths.ts';

void test('entryPath keeps relative paths, normalized', () => {
  assert.deepEqual(entryPath('model/weights.bin'), { ok: true, path: 'model/weights.bin' });
  assert.deepEqual(entryPath('./a//b/./c'), { ok: true, path: 'a/b/c' });
  assert.deepEqual(entryPath('dir/'), { ok: true, path: 'dir' });
  assert.deepEqual(entryPath('./'), { ok: true, path: '' });
  assert.deepEqual(entryPath('a..b/..c'), { ok: true, path: 'a..b/..c' });
});

void test('entryPath refuses what could escape the destination', () => {
  for (const name of ['../x', 'a/../../x', 'a/..', '..', '/etc/passwd', '//x', 'C:evil', 'c:/x', 'a\\..\\x', 'a\0b']) {
    assert.equal(entryPath(name).ok, false, name);
  }
});

void test('every path entryPath accepts stays inside the root once joined', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', 'b', '.', '..', '', '/', '\\', 'c:', '\0', 'x.y'), { maxLength: 8 }), (parts) => {
      const checked = entryPath(parts.join(''));
      if (!checked.ok) return;
      const joined = posix.join('/root', checked.path);
      assert.ok(joined === '/root' || joined.startsWith('/root/'), `${parts.join('')} -> ${joined}`);
    }),
  );
});

void test('linkTarget: relative targets inside the root only', () => {
  assert.deepEqual(linkTarget('snapshots/1/model.bin', '../../blobs/abc'), { ok: true, path: 'blobs/abc' });
  assert.deepEqual(linkTarget('latest', 'v1'), { ok: true, path: 'v1' });
  assert.deepEqual(linkTarget('a/self', '..'), { ok: true, path: '.' });
  for (const [path, target] of [['l', '../x'], ['a/l', '../../x'], ['l', '/etc/passwd'], ['l', ''], ['l', 'a\\..\\..'], ['a/b/l', '../../..']] as const) {
    assert.equal(linkTarget(path, target).ok, false, `${path} -> ${target}`);
  }
});

void test('ArchiveBudget: the entry and byte caps, inclusive', () => {
  const budget = new ArchiveBudget({ maxEntries: 2, maxBytes: 10 });
  assert.equal(budget.entry(), true);
  assert.equal(budget.entry(), true);
  assert.equal(budget.entry(), false);
  assert.equal(budget.add(10), true);
  assert.equal(budget.add(1), false);
  assert.deepEqual(budget.used, { entries: 3, bytes: 11 });
});

void test('archiveKind by file name', () => {
  assert.equal(archiveKind('model.tar.gz'), 'tar.gz');
  assert.equal(archiveKind('MODEL.TGZ'), 'tar.gz');
  assert.equal(archiveKind('m.zip'), 'zip');
  assert.equal(archiveKind('model.tar'), undefined);
  assert.equal(archiveKind('model.joblib'), undefined);
});
