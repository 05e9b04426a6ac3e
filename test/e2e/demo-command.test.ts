// `npm run demo` as a new user runs it: every example ModelDeployment shows up Ready.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { exampleFiles, readExample } from '../support/model-deployments.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

test('npm run demo brings every example to Ready and stops cleanly', { timeout: 240_000 }, async () => {
  const child = spawn('npm', ['run', '--silent', 'demo'], {
    cwd: repoRoot,
    env: { ...process.env, MODELSHIP_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'modelship-demo-')), MODELSHIP_DEMO_EXIT: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((res) => child.on('close', res));
  assert.equal(code, 0, output);
  assert.match(output, /every example is Ready/);
  for (const file of exampleFiles()) {
    const name = readExample(file).metadata.name;
    assert.match(output, new RegExp(`^${name}\\s+.*\\sTrue\\s+stable=100`, 'm'), `${name} (${file}) is listed Ready:\n${output}`);
  }
});
