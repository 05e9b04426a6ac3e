// The Argo CD health check (charts/modelship/argocd/health.lua) on a real Lua interpreter, judging the
// ModelDeployments the kstatus e2e test recorded on the real control plane (test/fixtures/status).
// It must agree with kstatus: Degraded exactly when kstatus says Failed, Healthy only when Current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { luaLiteral } from './argocd/lua-literal.ts';
import { readStatusFixture } from '../support/status-fixtures.ts';
import { kstatusOf, type KStatus } from '../../src/status/kstatus.ts';
import type { ModelDeploymentStatus } from '../../src/api/index.ts';

const healthScript = resolve(import.meta.dirname, '..', '..', 'charts', 'modelship', 'argocd', 'health.lua');
const harness = resolve(import.meta.dirname, 'argocd', 'run-health.lua');

type Health = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended';
interface Md {
  metadata: { generation?: number };
  status?: ModelDeploymentStatus;
}

function argoHealth(obj: object): { status: string; message: string } {
  const out = execFileSync('lua5.4', [harness, healthScript], { input: luaLiteral(obj), encoding: 'utf8' });
  const [status = '', ...message] = out.replace(/\n$/, '').split('\n');
  return { status, message: message.join('\n') };
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
  assert.equal(argoHealth(fresh).status, 'Progressing');
});

test('a status for an older generation: Progressing, even if that generation was Ready or Stalled', () => {
  for (const name of ['ready', 'stalled-image-pull']) {
    const obj = readStatusFixture(name) as unknown as Md & Record<string, unknown>;
    const newer = { ...obj, metadata: { ...obj.metadata, generation: (obj.metadata.generation ?? 1) + 1 } };
    assert.equal(argoHealth(newer).status, 'Progressing', name);
  }
});

test('a canary promoting: Progressing', () => {
  const obj = readStatusFixture('canary-paused') as unknown as Md & Record<string, unknown>;
  const status = obj.status as Record<string, unknown> & { canary: Record<string, unknown> };
  const conditions = (status.conditions as { type: string }[]).filter((c) => c.type !== 'Reconciling');
  const promoting = { ...obj, status: { ...status, conditions, canary: { ...status.canary, phase: 'Promoting', message: 'promoting' } } };
  assert.deepEqual(argoHealth(promoting), { status: 'Progressing', message: 'promoting' });
});

test('the script uses nothing newer than Lua 5.1 (Argo CD runs gopher-lua)', () => {
  const code = readFileSync(healthScript, 'utf8')
    .replace(/--.*$/gm, '')
    .replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const [what, pattern] of [
    ['goto and labels', /\bgoto\b|::\w+::/],
    ['integer division', /\/\//],
    ['bitwise operators', /[&|]|<<|>>|~(?!=)/],
    ['attributes', /<(?:const|close)>/],
  ] as const) {
    assert.doesNotMatch(code, pattern, what);
  }
});
