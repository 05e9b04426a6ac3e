// The CLI as a user runs it from a checkout, in their own shell: `npx modelship ...` and
// `node bin/modelship.js ...` on the machine's Node (20 here), whose npm warns about a package's engines
// and whose Node cannot run TypeScript. The user sees the command's own output and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import type { ToolResult } from '../support/run-tool.ts';
import { userShellEnv } from '../support/user-shell-env.ts';

const root = resolve(import.meta.dirname, '..', '..');
const env = userShellEnv();

// Every outcome is a result, never an exception: a command that cannot start (ENOENT) or whose stdin closes
// early (EPIPE) fails the test that ran it with what happened, rather than the whole file.
function run(command: string, args: readonly string[], input?: string): Promise<ToolResult> {
  return new Promise((res) => {
    const child = execFile(command, args, { env, cwd: root, timeout: 120_000 }, (err, stdout, stderr) =>
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr: err && typeof err.code !== 'number' ? `${stderr}${err.message}` : stderr }),
    );
    child.stdin?.on('error', () => undefined);
    if (input === undefined) child.stdin?.end();
    else child.stdin?.end(input);
  });
}

test("npx modelship on the machine's Node prints only its own output", async () => {
  const machineNode = await run('node', ['--version']);
  assert.equal(machineNode.code, 0, `the machine's node runs: ${machineNode.stderr}`);
  const valid = await run('npx', ['modelship', 'validate', '-f', 'examples/custom.yaml']);
  assert.equal(valid.stderr, '', 'nothing on stderr: no npm warnings');
  assert.equal(valid.code, 0);
  assert.equal(valid.stdout, '1 ModelDeployment valid\n');

  const help = await run('npx', ['modelship', '--help']);
  assert.equal(help.stderr, '');
  assert.match(help.stdout, /^modelship: render, validate and steer ModelDeployments/);
});

test('the exit code and stderr are the command\'s own: an invalid manifest exits 1 with the field named', async () => {
  const bad = 'apiVersion: modelship.io/v1alpha1\nkind: ModelDeployment\nmetadata: {name: bad}\nspec:\n  model: {name: x, version: "1", uri: "ftp://x", format: sklearn}\n  runtime: {preset: mlserver}\n';
  const r = await run('npx', ['modelship', 'validate', '-f', '-'], bad);
  assert.equal(r.code, 1);
  assert.match(r.stdout + r.stderr, /spec\.model\.uri/);
  assert.doesNotMatch(r.stderr, /npm (warn|WARN|ERR)|EBADENGINE/);
});

test('node bin/modelship.js on the machine\'s Node runs on the pinned Node 24, with the same exit codes', async () => {
  const ok = await run('node', ['bin/modelship.js', 'render', '-f', 'examples/mlserver-sklearn.yaml']);
  assert.equal(ok.stderr, '');
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /kind: Deployment/);
  const usage = await run('node', ['bin/modelship.js', 'frobnicate']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^modelship: /);
});
