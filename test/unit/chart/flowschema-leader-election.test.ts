// The FlowSchema that gives the operator's Lease requests the API server's leader-election priority
// level: it names the ServiceAccount every operator Deployment (main and shards) runs as, the Leases of
// the namespace their elections use, and is rendered only with leader election in whole-cluster mode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config.ts';
import { chartDir, findObject, helm, mustSucceed, operatorArgs, parseObjects, renderChart, toolsDir, type RenderedObject } from '../../support/helm-chart.ts';

const tools = await toolsDir();

function render(...set: string[]): Promise<RenderedObject[]> {
  return renderChart(tools, ['--namespace', 'modelship-system', ...set.flatMap((s) => ['--set', s])]);
}

interface FlowSchemaSpec {
  priorityLevelConfiguration: { name: string };
  matchingPrecedence: number;
  distinguisherMethod: { type: string };
  rules: {
    subjects: { kind: string; serviceAccount?: { name: string; namespace: string } }[];
    resourceRules?: { verbs: string[]; apiGroups: string[]; resources: string[]; namespaces?: string[]; clusterScope?: boolean }[];
    nonResourceRules?: unknown[];
  }[];
}

const flowSchemas = (objects: readonly RenderedObject[]) => objects.filter((o) => o.kind === 'FlowSchema');

/** Where each operator Deployment elects: its ServiceAccount and the namespace of its Lease. */
function elections(objects: readonly RenderedObject[]): { serviceAccount: string; leaseNamespace: string; leaderElect: boolean }[] {
  return objects
    .filter((o) => o.kind === 'Deployment')
    .map((d) => {
      const parsed = parseConfig(operatorArgs(d), { POD_NAME: `${d.metadata.name}-abc`, POD_NAMESPACE: 'modelship-system' });
      assert.ok(parsed.ok, JSON.stringify(parsed));
      const pod = (d.spec as { template: { spec: { serviceAccountName: string } } }).template.spec;
      return { serviceAccount: pod.serviceAccountName, leaseNamespace: parsed.config.leaderElectionNamespace, leaderElect: parsed.config.leaderElect };
    });
}

void test("leader election on: every shard's Lease requests, as the operator's ServiceAccount, go to the leader-election priority level", async () => {
  const objects = await render('sharding.shards={shard1,shard2}');
  const [schema, ...more] = flowSchemas(objects);
  assert.ok(schema);
  assert.deepEqual(more, [], 'one FlowSchema for all shards');
  assert.equal(schema.apiVersion, 'flowcontrol.apiserver.k8s.io/v1');
  assert.equal(schema.metadata.name, 'modelship-leader-election');
  assert.equal(schema.metadata.namespace, undefined, 'cluster-scoped');
  const spec = schema.spec as unknown as FlowSchemaSpec;
  assert.equal(spec.priorityLevelConfiguration.name, 'leader-election');
  // After the built-in system-leader-election (100), before kube-system-service-accounts (900) and
  // service-accounts (9000), which would otherwise classify the ServiceAccount's requests.
  assert.ok(spec.matchingPrecedence > 100 && spec.matchingPrecedence < 900, String(spec.matchingPrecedence));
  assert.equal(spec.distinguisherMethod.type, 'ByUser');
  assert.equal(spec.rules.length, 1);
  const rule = spec.rules[0]!;
  assert.deepEqual(rule.nonResourceRules, undefined);
  assert.deepEqual(rule.resourceRules, [{ verbs: ['get', 'create', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['modelship-system'] }]);

  // Every operator Deployment elects as the subject, in the namespace the rule names.
  const deployments = elections(objects);
  assert.equal(deployments.length, 3);
  for (const d of deployments) {
    assert.ok(d.leaderElect);
    assert.deepEqual(rule.subjects, [{ kind: 'ServiceAccount', serviceAccount: { name: d.serviceAccount, namespace: 'modelship-system' } }]);
    assert.deepEqual(rule.resourceRules?.[0]?.namespaces, [d.leaseNamespace]);
  }
});

void test('the name follows the release and the ServiceAccount its value; more than one replica elects too', async () => {
  const out = await mustSucceed('helm template', helm(tools, ['template', 'team', chartDir, '--namespace', 'ops', '--set', 'serviceAccount.name=platform-sa', '--set', 'replicas=2', '--set', 'leaderElection.enabled=false']));
  const objects = parseObjects(out);
  const schema = findObject(objects, 'FlowSchema');
  assert.equal(schema?.metadata.name, 'team-modelship-leader-election', "unique per release: the chart's fullname");
  const rule = (schema?.spec as unknown as FlowSchemaSpec).rules[0]!;
  assert.deepEqual(rule.subjects, [{ kind: 'ServiceAccount', serviceAccount: { name: 'platform-sa', namespace: 'ops' } }]);
  assert.deepEqual(rule.resourceRules?.[0]?.namespaces, ['ops']);
  assert.deepEqual(elections(objects).map((d) => [d.serviceAccount, d.leaseNamespace, d.leaderElect]), [['platform-sa', 'ops', true]]);
});

void test('not rendered when turned off, without leader election, or in namespaced mode (nothing cluster-scoped)', async () => {
  assert.deepEqual(flowSchemas(await render('leaderElection.flowSchema.enabled=false')), []);
  assert.deepEqual(flowSchemas(await render('leaderElection.flowSchema.enabled=false', 'replicas=3', 'sharding.shards={a}')), []);
  const single = await render('leaderElection.enabled=false');
  assert.deepEqual(flowSchemas(single), []);
  assert.deepEqual(elections(single).map((d) => d.leaderElect), [false], 'the operator does not elect either');
  assert.deepEqual(flowSchemas(await render('watchNamespaces={team-a}')), []);
});
