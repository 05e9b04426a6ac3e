// The Argo CD health check (charts/modelship/argocd/health.lua) evaluated by Argo CD's own code: the argocd-health
// tool (test/cluster/go/argocd-health) puts the script into an argocd-cm under the documented key, lets Argo CD
// v3.2.12's settings manager read it and gitops-engine's health.GetResourceHealth run it in Argo CD's gopher-lua
// sandbox (util/lua), as the application controller does. It judges the ModelDeployments the kstatus e2e test
// recorded on the real control plane (test/fixtures/status), and must agree with kstatus: Degraded exactly when
// kstatus says Failed, Healthy only when Current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { toolsDir } from '../support/helm-chart.ts';
import { readStatusFixture } from '../support/status-fixtures.ts';
import { kstatusOf, type KStatus } from '../../src/status/kstatus.ts';
import type { ModelDeploymentStatus } from '../../src/api/index.ts';

const healthScript = resolve(import.meta.dirname, '..', '..', 'charts', 'modelship', 'argocd', 'health.lua');
// The argocd-cm key charts/modelship/argocd/README.md tells users to install the script under.
const argocdCmKey = 'resource.customizations.health.modelship.io_ModelDeployment';
const argocdHealthBin = join(await toolsDir(), 'argocd-health');

type Health = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended';
interface Md {
  metadata: { generation?: number };
  status?: ModelDeploymentStatus;
}

/** What Argo CD's evaluation says: health and message, or (exit code non-zero) the error Argo CD reports. */
function evaluate(obj: object, script = healthScript): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(argocdHealthBin, ['-key', argocdCmKey, script], { input: JSON.stringify(obj), encoding: 'utf8' });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function argoHealth(obj: object, script = healthScript): { status: string; message: string } {
  const r = evaluate(obj, script);
  assert.equal(r.code, 0, `argocd-health failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { status: string; message: string };
}

const conditionMessage = (obj: Md, type: string) => obj.status?.conditions?.find((c) => c.type === type)?.message;
const canaryMessage = (obj: Md) => (obj.status as { canary?: { message?: string } } | undefined)?.canary?.message;

const fixtures: readonly { name: string; health: Health; message: (obj: Md) => string | undefined }[] = [
  { name: 'ready', health: 'Healthy', message: (o) => conditionMessage(o, 'Ready') },
  { name: 'reconciling', health: 'Progressing', message: (o) => conditionMessage(o, 'Reconciling') },
  { name: 'stalled-image-pull', health: 'Degraded', message: (o) => conditionMessage(o, 'Stalled') },
  { name: 'canary-paused', health: 'Suspended', message: canaryMessage },
  { name: 'canary-aborted', health: 'Degraded', message: (o) => conditionMessage(o, 'Stalled') },
];

const kstatusFor: Record<Health, KStatus> = { Healthy: 'Current', Progressing: 'InProgress', Suspended: 'InProgress', Degraded: 'Failed' };

for (const f of fixtures) {
  test(`${f.name}: ${f.health}, with the message a person acts on`, () => {
    const obj = readStatusFixture(f.name) as unknown as Md;
    assert.deepEqual(argoHealth(obj), { status: f.health, message: f.message(obj) });
  });
  test(`${f.name}: agrees with kstatus (${kstatusFor[f.health]})`, () => {
    assert.equal(kstatusOf(readStatusFixture(f.name) as unknown as Md), kstatusFor[f.health]);
  });
}

test('no status yet: Progressing (where kstatus, with nothing to go on, says Current)', () => {
  const { status: _status, ...fresh } = readStatusFixture('ready');
  assert.deepEqual(argoHealth(fresh), { status: 'Progressing', message: 'Waiting for the modelship operator to report status' });
});

test('a status for an older generation: Progressing, even if that generation was Ready or Stalled', () => {
  for (const name of ['ready', 'stalled-image-pull']) {
    const obj = readStatusFixture(name) as unknown as Md & Record<string, unknown>;
    const generation = obj.metadata.generation ?? 1;
    const newer = { ...obj, metadata: { ...obj.metadata, generation: generation + 1 } };
    assert.deepEqual(
      argoHealth(newer),
      { status: 'Progressing', message: `Waiting for the operator to act on generation ${generation + 1} (observed ${generation})` },
      name,
    );
  }
});

test('a canary promoting: Progressing', () => {
  const obj = readStatusFixture('canary-paused') as unknown as Md & Record<string, unknown>;
  const status = obj.status as Record<string, unknown> & { canary: Record<string, unknown> };
  const conditions = (status.conditions as { type: string }[]).filter((c) => c.type !== 'Reconciling');
  const promoting = { ...obj, status: { ...status, conditions, canary: { ...status.canary, phase: 'Promoting', message: 'promoting' } } };
  assert.deepEqual(argoHealth(promoting), { status: 'Progressing', message: 'promoting' });
});

// The same evaluation refuses broken scripts, so the tests above would catch a script Argo CD cannot run.
const brokenDir = mkdtempSync(join(tmpdir(), 'modelship-argocd-health-'));
function brokenScript(name: string, code: string): string {
  const path = join(brokenDir, name);
  writeFileSync(path, code);
  return path;
}

test('a script with a syntax error: Argo CD reports the error', () => {
  const r = evaluate(readStatusFixture('ready'), brokenScript('syntax.lua', 'local hs = {\nreturn hs\n'));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /failed to get resource health for models\/ready: .*syntax error/);
  assert.equal(r.stdout, '');
});

test('syntax newer than Lua 5.1 (integer division): a syntax error in Argo CD, which runs gopher-lua', () => {
  const r = evaluate(readStatusFixture('ready'), brokenScript('idiv.lua', 'local half = 7 // 2\nreturn {status = "Healthy", message = "ok"}\n'));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /failed to get resource health for models\/ready: .*syntax error/);
});

test('a library Argo CD does not open for custom checks (string): a run-time error', () => {
  const r = evaluate(readStatusFixture('ready'), brokenScript('string.lua', 'return {status = "Healthy", message = string.format("%d", 1)}\n'));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /failed to get resource health for models\/ready: .*attempt to index a non-table object\(nil\) with key 'format'/);
});

test('an invalid health status ("Fine"): Argo CD shows Unknown, "Lua returned an invalid health status"', () => {
  // Argo CD does not fail the evaluation here: its util/lua turns a status it does not know into Unknown.
  assert.deepEqual(argoHealth(readStatusFixture('ready'), brokenScript('fine.lua', 'return {status = "Fine", message = "all good"}\n')), {
    status: 'Unknown',
    message: 'Lua returned an invalid health status',
  });
});

test('a script that returns no table: Argo CD reports the error', () => {
  const r = evaluate(readStatusFixture('ready'), brokenScript('string-result.lua', 'return "Healthy"\n'));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /expect table output from Lua script, not string/);
});
