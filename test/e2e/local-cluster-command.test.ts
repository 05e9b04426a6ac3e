// `npm run cluster` as a user runs it: ready quickly, kubectl sees two Ready nodes, Ctrl-C stops everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureTools } from '../cluster/tools.ts';
import { runTool } from '../support/run-tool.ts';
import { eventually } from '../support/wait.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

test('npm run cluster serves two Ready kwok nodes and stops cleanly on Ctrl-C', { timeout: 180_000 }, async () => {
  const toolsDir = await ensureTools();
  const localDir = mkdtempSync(join(tmpdir(), 'modelship-local-'));
  const child = spawn('npm', ['run', '--silent', 'cluster'], {
    cwd: repoRoot,
    env: { ...process.env, MODELSHIP_LOCAL_DIR: localDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so SIGINT reaches it the way a terminal's Ctrl-C does
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid ?? 0), signal);
    } catch {
      /* already gone */
    }
  };
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const closed = new Promise<string>((res) => child.on('close', (code, signal) => res(signal ?? `exit ${code}`)));
  try {
    await eventually('npm run cluster to report ready', () => Promise.resolve(output), (o) => o.includes('Ctrl-C stops it'), 120_000);
    const kubeconfig = join(localDir, 'kubeconfig');
    assert.ok(existsSync(kubeconfig), 'kubeconfig written');
    const componentLogs = /component logs: (\S+)\/logs/.exec(output)?.[1];
    assert.ok(componentLogs, output);

    const nodes = await runTool(toolsDir, 'kubectl', ['--kubeconfig', kubeconfig, 'get', 'nodes', '--no-headers']);
    assert.equal(nodes.code, 0, nodes.stderr);
    const rows = nodes.stdout.trim().split('\n').map((l) => l.split(/\s+/));
    assert.deepEqual(rows.map((r) => [r[0], r[1]]), [['kwok-node-0', 'Ready'], ['kwok-node-1', 'Ready']]);

    const pids = readFileSync(join(componentLogs, 'pids'), 'utf8').split('\n').map(Number);
    signalGroup('SIGINT');
    // npm re-raises the SIGINT it received once the script has exited; the script itself exits 0.
    assert.match(await closed, /^(SIGINT|exit 0)$/, output);
    assert.match(output, /stopping\.\.\./);
    for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `component ${pid} stopped`);
    assert.equal(existsSync(componentLogs), false, 'its temporary folder is removed');
  } finally {
    signalGroup('SIGKILL');
  }
});
