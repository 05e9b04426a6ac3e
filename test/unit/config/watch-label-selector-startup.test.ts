// The operator's start-up with --watch-label-selector: a selector the API server would refuse stops it
// with exit 2 and a message naming the requirement, before it connects to anything.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { startScriptNodeFlags } from '../../cluster/start-script-flags.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'modelship-selector-'));

void test('a bad --watch-label-selector stops the operator at start-up with exit 2, naming the requirement', () => {
  const r = spawnSync(process.execPath, [...startScriptNodeFlags(), 'src/main.ts', '--kubeconfig', join(dir, 'none'), '--identity', 't', '--watch-label-selector', 'sharding.modelship.io/key notin ()'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /modelship: invalid configuration/);
  assert.match(r.stderr, /--watch-label-selector: must be a label selector .*"sharding\.modelship\.io\/key notin \(\)": notin needs at least one value/);
});
