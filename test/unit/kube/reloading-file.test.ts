import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ReloadingFile } from '../../../src/kube/reloading-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'modelship-reload-'));
after(() => rmSync(dir, { recursive: true, force: true }));

void test('a followed file is re-read when replaced, at most once per recheck interval; a bad re-read keeps the last content', () => {
  let now = 0;
  const path = join(dir, 'ca.crt');
  writeFileSync(path, 'one');
  const file = new ReloadingFile(path, 1000, () => now);
  assert.deepEqual(file.read(), { content: Buffer.from('one'), changed: false });
  writeFileSync(join(dir, 'next'), 'two-two');
  renameSync(join(dir, 'next'), path); // as a kubelet or cert-manager swaps it
  now = 500;
  assert.equal(file.read().content.toString(), 'one', 'not looked at again within the interval');
  now = 1000;
  assert.deepEqual(file.read(), { content: Buffer.from('two-two'), changed: true });
  now = 2000;
  assert.equal(file.read().changed, false);
  writeFileSync(path, '');
  now = 3000;
  assert.deepEqual(file.read(), { content: Buffer.from('two-two'), changed: false }, 'an empty file (a write half done) is ignored');
  rmSync(path);
  now = 4000;
  assert.equal(file.read().content.toString(), 'two-two', 'a missing file keeps the last content');
});
