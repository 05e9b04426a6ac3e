// sharding.shards in the chart: one operator Deployment per shard plus the main one for the rest, their
// selectors a partition of every possible label value, a Lease each that the Role lets them renew,
// PodDisruptionBudgets that never share a pod; nothing changes without shards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config.ts';
import { parseLabelSelector, selects } from '../../../src/kube/label-selector.ts';
import { chartDir, helm, operatorArgs, renderChart, toolsDir, type RenderedObject } from '../../support/helm-chart.ts';

const tools = await toolsDir();

function render(...set: string[]): Promise<RenderedObject[]> {
  return renderChart(tools, ['--namespace', 'modelship-system', ...set.flatMap((s) => ['--set', s])]);
}

const ofKind = (objects: readonly RenderedObject[], kind: string) => objects.filter((o) => o.kind === kind);

/** The operator's configuration as a pod of this Deployment parses it. */
function configOf(deployment: RenderedObject) {
  const parsed = parseConfig(operatorArgs(deployment), { POD_NAME: `${deployment.metadata.name}-abc`, POD_NAMESPACE: 'modelship-system' });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.config;
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

/** A workload selector (matchLabels and matchExpressions) against pod labels. */
function podSelected(selector: Selector, labels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) =>
    e.operator === 'DoesNotExist' ? !(e.key in labels) : e.operator === 'Exists' ? e.key in labels : e.operator === 'In' ? (e.values ?? []).includes(labels[e.key] ?? '\0') : !(e.values ?? []).includes(labels[e.key] ?? '\0'),
  );
  return byLabels && byExpressions;
}

const podLabels = (d: RenderedObject) => (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;

void test('no shards: one Deployment watching every ModelDeployment, the one Lease', async () => {
  const objects = await render('replicas=2');
  const deployments = ofKind(objects, 'Deployment');
  assert.deepEqual(deployments.map((d) => d.metadata.name), ['modelship']);
  assert.ok(!operatorArgs(deployments[0]!).some((a) => a.startsWith('--watch-label-selector')));
  assert.equal(configOf(deployments[0]!).leaderElectionId, 'modelship-leader');
  assert.deepEqual(ofKind(objects, 'PodDisruptionBudget').map((p) => p.spec?.selector), [{ matchLabels: { 'app.kubernetes.io/name': 'modelship', 'app.kubernetes.io/instance': 'modelship' } }]);
});

void test('shards: a Deployment each plus the main one; every ModelDeployment label is watched by exactly one of them', async () => {
  const key = 'sharding.modelship.io/key';
  const objects = await render('replicas=2', 'sharding.shards={shard1,shard2}');
  const deployments = ofKind(objects, 'Deployment');
  assert.deepEqual(deployments.map((d) => d.metadata.name), ['modelship', 'modelship-shard1', 'modelship-shard2']);
  const configs = deployments.map(configOf);
  assert.deepEqual(
    configs.map((c) => c.watchLabelSelector),
    [`${key} notin (shard1,shard2)`, `${key}=shard1`, `${key}=shard2`],
  );
  // Each shard elects among its own replicas: distinct Leases, each one the Role lets it renew.
  const leases = configs.map((c) => c.leaderElectionId);
  assert.deepEqual(leases, ['modelship-leader', 'modelship-leader-shard1', 'modelship-leader-shard2']);
  assert.ok(configs.every((c) => c.leaderElect));
  const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'modelship-leader-election');
  const renew = role?.rules?.find((r) => r.verbs.includes('update'));
  assert.deepEqual(renew?.resourceNames, leases);

  // A partition: unlabelled, a listed shard, an unlisted value, an empty value.
  const requirements = configs.map((c) => {
    const parsed = parseLabelSelector(c.watchLabelSelector);
    assert.ok(parsed.ok);
    return parsed.requirements;
  });
  const owners = (labels: Record<string, string>) => deployments.filter((_, i) => selects(requirements[i]!, labels)).map((d) => d.metadata.name);
  assert.deepEqual(owners({}), ['modelship']);
  assert.deepEqual(owners({ [key]: 'shard1' }), ['modelship-shard1']);
  assert.deepEqual(owners({ [key]: 'shard2' }), ['modelship-shard2']);
  assert.deepEqual(owners({ [key]: 'shard9' }), ['modelship'], 'a shard not listed falls to the main Deployment');
  assert.deepEqual(owners({ [key]: '' }), ['modelship']);

  // The shards' pods are told apart by their Deployments; every pod is under exactly one budget
  // (a pod under two cannot be evicted, so a drain would stall on it).
  const budgets = ofKind(objects, 'PodDisruptionBudget');
  assert.equal(budgets.length, 3);
  for (const d of deployments) {
    const labels = podLabels(d);
    assert.ok(podSelected((d.spec as { selector: Selector }).selector, labels), `${d.metadata.name} selects its own pods`);
    assert.deepEqual(budgets.filter((b) => podSelected(b.spec?.selector as Selector, labels)).length, 1, `${d.metadata.name}'s pods are under one budget`);
  }
  for (const shard of deployments.slice(1)) {
    assert.equal(podLabels(shard)['modelship.io/shard'], shard.metadata.name.replace('modelship-', ''));
    assert.ok(!podSelected((shard.spec as { selector: Selector }).selector, podLabels(deployments[0]!)), `${shard.metadata.name} does not select the main pods`);
  }
});

void test('a key of your own; bad keys and shard names are refused at install', async () => {
  const objects = await render('sharding.key=example.com/team', 'sharding.shards={a}');
  assert.deepEqual(ofKind(objects, 'Deployment').map((d) => configOf(d).watchLabelSelector), ['example.com/team notin (a)', 'example.com/team=a']);
  for (const [set, where] of [
    ['sharding.shards={Shard_1}', /at '\/sharding\/shards\/0'/],
    ['sharding.key=Example.com/team', /at '\/sharding\/key'/],
    ['sharding.shard={a}', /at '\/sharding': additional properties 'shard' not allowed/],
  ] as const) {
    const r = await helm(tools, ['template', 'modelship', chartDir, '--set', set]);
    assert.notEqual(r.code, 0, set);
    assert.match(r.stderr, where);
  }
});
