// The chart's RBAC is exactly what the operator's code uses: every child kind render can produce
// (CHILD_KINDS) may be listed, watched, read by name, applied and pruned (DELETE); an apply is a PATCH, and the API
// server also authorizes it as create when it creates the object. The rest is read from the code
// paths named below. The same rules serve the ClusterRole and each watched namespace's Role. Secrets are
// never among them: the analysis sources' Secrets get a Role of their own, by name, in the release's
// namespace; a user namespace's Secrets are readable only with the analysis.userSecrets opt-in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHILD_KINDS } from '../../../src/render/index.ts';
import { resourceKind } from '../../../src/kube/resource-paths.ts';
import { findObject, operatorArgs, renderChart, toolsDir, type PolicyRule, type RenderedObject } from '../../support/helm-chart.ts';
import { parsePrometheusSources } from '../../../src/analysis/prometheus-sources.ts';
import { parseModelRegistries } from '../../../src/registry/mlflow.ts';
import { parseRetrainingTargets } from '../../../src/retraining/targets-file.ts';

const tools = await toolsDir();

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

/** group/resource -> sorted verbs, merged over rules. */
function permissions(rules: readonly PolicyRule[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const r of rules) {
    for (const g of r.apiGroups ?? []) for (const res of r.resources ?? []) for (const v of r.verbs) (out[`${g}/${res}`] ??= new Set()).add(v);
  }
  return sortedKeys(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()])));
}

function sortedKeys(o: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k] ?? []]));
}

function expected(): Record<string, string[]> {
  const out: Record<string, string[]> = {
    // informer.ts lists and watches; reconcile reads the cache and patches status (status-patch.ts).
    'modelship.io/modeldeployments': ['list', 'watch'],
    'modelship.io/modeldeployments/status': ['patch'],
    // owner-reference.ts sets blockOwnerDeletion (OwnerReferencesPermissionEnforcement checks this).
    'modelship.io/modeldeployments/finalizers': ['update'],
    // caches.ts: model-server pods and the Services' EndpointSlices.
    '/pods': ['list', 'watch'],
    'discovery.k8s.io/endpointslices': ['list', 'watch'],
    // No Secrets: fetch-measurement.ts reads the analysis sources' Secrets in the release's namespace
    // only (its own Role, by name), and a user namespace's only with analysis.userSecrets.
    // event-recorder.ts: core/v1 Events, created then patched with the count.
    '/events': ['create', 'patch'],
  };
  // phases/apply.ts reads a child by name when its create-only apply finds the name taken (and
  // fetch-smoke-check.ts a smoke check's samples ConfigMap).
  for (const { apiVersion, kind } of CHILD_KINDS) {
    out[`${groupOf(apiVersion)}/${resourceKind(apiVersion, kind).plural}`] = ['create', 'delete', 'get', 'list', 'patch', 'watch'];
  }
  return sortedKeys(out);
}

function assertNoDangerousRules(rules: readonly PolicyRule[]): void {
  for (const r of rules) {
    for (const field of [r.apiGroups ?? [], r.resources ?? [], r.verbs]) assert.ok(!field.includes('*'), `no wildcard: ${JSON.stringify(r)}`);
    for (const verb of ['escalate', 'bind', 'impersonate']) assert.ok(!r.verbs.includes(verb), `no ${verb}: ${JSON.stringify(r)}`);
  }
}

const byKind = (objects: readonly RenderedObject[], kind: string) => objects.filter((o) => o.kind === kind);
const isUserRole = (o: RenderedObject) => Object.keys(o.metadata.labels ?? {}).some((l) => l.startsWith('rbac.authorization.k8s.io/aggregate-to-'));

void test('cluster-wide: one ClusterRole with exactly the permissions the code uses, bound to the ServiceAccount', async () => {
  const objects = await renderChart(tools, ['--namespace', 'modelship-system']);
  const clusterRoles = byKind(objects, 'ClusterRole').filter((r) => !isUserRole(r));
  assert.equal(clusterRoles.length, 1);
  const rules = clusterRoles[0]?.rules ?? [];
  assert.deepEqual(permissions(rules), expected());
  assertNoDangerousRules(rules);
  assert.ok(rules.every((r) => r.resourceNames === undefined));
  const binding = findObject(objects, 'ClusterRoleBinding', 'modelship') as unknown as { roleRef: { name: string }; subjects: { kind: string; name: string; namespace: string }[] };
  assert.equal(binding.roleRef.name, 'modelship');
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'modelship', namespace: 'modelship-system' }]);
  // No Role for the children in cluster-wide mode: only the Lease's.
  assert.deepEqual(byKind(objects, 'Role').map((r) => r.metadata.name), ['modelship-leader-election']);
});

void test('leader election: a Role in the release namespace, create any Lease, get and update only its own', async () => {
  const objects = await renderChart(tools, ['--namespace', 'modelship-system']);
  const role = findObject(objects, 'Role', 'modelship-leader-election', 'modelship-system');
  assert.deepEqual(role?.rules, [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['modelship-leader'], verbs: ['get', 'update'] },
  ]);
  assert.ok(findObject(objects, 'RoleBinding', 'modelship-leader-election', 'modelship-system'));
  // A single replica without leader election needs no Lease at all.
  const without = await renderChart(tools, ['--namespace', 'modelship-system', '--set', 'leaderElection.enabled=false']);
  assert.equal(findObject(without, 'Role', 'modelship-leader-election'), undefined);
  // More than one replica always elects, whatever the value says.
  const replicated = await renderChart(tools, ['--namespace', 'modelship-system', '--set', 'leaderElection.enabled=false', '--set', 'replicas=2']);
  assert.ok(findObject(replicated, 'Role', 'modelship-leader-election'));
});

void test('namespaced: a Role and RoleBinding per watched namespace with the same rules, nothing cluster-wide', async () => {
  const cluster = await renderChart(tools, ['--namespace', 'modelship-system']);
  const objects = await renderChart(tools, ['--namespace', 'modelship-system', '--set', 'watchNamespaces={team-a,team-b}']);
  assert.deepEqual(byKind(objects, 'ClusterRole'), []);
  assert.deepEqual(byKind(objects, 'ClusterRoleBinding'), []);
  for (const ns of ['team-a', 'team-b']) {
    const role = findObject(objects, 'Role', 'modelship', ns);
    assert.deepEqual(role?.rules, byKind(cluster, 'ClusterRole').find((r) => !isUserRole(r))?.rules, `Role in ${ns} has the ClusterRole's rules`);
    const binding = findObject(objects, 'RoleBinding', 'modelship', ns) as unknown as { roleRef: { kind: string; name: string }; subjects: unknown[] };
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'modelship' });
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'modelship', namespace: 'modelship-system' }]);
  }
  assert.deepEqual(
    byKind(objects, 'Role').map((r) => `${r.metadata.namespace}/${r.metadata.name}`).sort(),
    ['modelship-system/modelship-leader-election', 'team-a/modelship', 'team-b/modelship'],
  );
});

void test('rbac.create=false renders no RBAC; serviceAccount.create=false needs a name', async () => {
  const objects = await renderChart(tools, ['--set', 'rbac.create=false']);
  assert.deepEqual(objects.filter((o) => o.apiVersion.startsWith('rbac.')), []);
  await assert.rejects(renderChart(tools, ['--set', 'serviceAccount.create=false']), /serviceAccount.name is required/);
  const own = await renderChart(tools, ['--set', 'serviceAccount.create=false', '--set', 'serviceAccount.name=platform-sa']);
  assert.equal(findObject(own, 'ServiceAccount'), undefined);
  const binding = findObject(own, 'ClusterRoleBinding') as unknown as { subjects: { name: string }[] };
  assert.equal(binding.subjects[0]?.name, 'platform-sa');
});

void test("users' roles: aggregated into admin/edit (manage ModelDeployments, read status) and view (read), whole-cluster mode only", async () => {
  const objects = await renderChart(tools, ['--namespace', 'modelship-system']);
  const edit = findObject(objects, 'ClusterRole', 'modelship-edit');
  const view = findObject(objects, 'ClusterRole', 'modelship-view');
  assert.deepEqual(Object.keys(edit?.metadata.labels ?? {}).filter((l) => l.startsWith('rbac.')).sort(), ['rbac.authorization.k8s.io/aggregate-to-admin', 'rbac.authorization.k8s.io/aggregate-to-edit']);
  assert.deepEqual(Object.keys(view?.metadata.labels ?? {}).filter((l) => l.startsWith('rbac.')), ['rbac.authorization.k8s.io/aggregate-to-view']);
  assert.deepEqual(permissions(edit?.rules ?? []), {
    'modelship.io/modeldeployments': ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    'modelship.io/modeldeployments/status': ['get'],
  });
  assert.deepEqual(permissions(view?.rules ?? []), { 'modelship.io/modeldeployments': ['get', 'list', 'watch'], 'modelship.io/modeldeployments/status': ['get', 'list', 'watch'] });
  for (const role of [edit, view]) assertNoDangerousRules(role?.rules ?? []);
  // Nothing bound: the default roles' bindings grant them.
  assert.ok(byKind(objects, 'ClusterRoleBinding').every((b) => !(b as unknown as { roleRef: { name: string } }).roleRef.name.endsWith('-edit') && !(b as unknown as { roleRef: { name: string } }).roleRef.name.endsWith('-view')));
  assert.deepEqual(byKind(await renderChart(tools, ['--set', 'rbac.aggregateToDefaultRoles=false']), 'ClusterRole').filter(isUserRole), []);
  assert.deepEqual(byKind(await renderChart(tools, ['--set', 'watchNamespaces={team-a}']), 'ClusterRole'), []);
});

/** Every rule of every ClusterRole and Role of the render that reaches Secrets, with where it applies. */
function secretRules(objects: readonly RenderedObject[]): { kind: string; namespace?: string; rule: PolicyRule }[] {
  return objects
    .filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role')
    .flatMap((o) =>
      (o.rules ?? [])
        .filter((r) => (r.apiGroups ?? []).includes('') && ((r.resources ?? []).includes('secrets') || (r.resources ?? []).includes('*')))
        .map((rule) => ({ kind: o.kind, ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}), rule })),
    );
}

const SOURCES = [
  '--set-json',
  JSON.stringify([
    { name: 'main', address: 'https://prometheus.monitoring:9090', bearerTokenSecret: { name: 'prom-token', key: 'token' }, caSecret: { name: 'prom-ca', key: 'ca.crt' }, default: true },
    { name: 'thanos', address: 'http://thanos.monitoring:10902', bearerTokenSecret: { name: 'prom-token', key: 'thanos' } },
    { name: 'open', address: 'http://prometheus.team-a:9090' },
  ]).replace(/^/, 'analysis.sources='),
];

void test('Secrets: no cluster-wide access by default, cluster-wide or namespaced, with or without analysis sources', async () => {
  for (const values of [[], ['--set', 'watchNamespaces={team-a,team-b}'], SOURCES, [...SOURCES, '--set', 'watchNamespaces={team-a}']]) {
    const objects = await renderChart(tools, ['--namespace', 'modelship-system', ...values]);
    const rules = secretRules(objects);
    assert.ok(rules.every((r) => r.kind === 'Role' && r.namespace === 'modelship-system'), `${values.join(' ')}: ${JSON.stringify(rules)}`);
    assert.ok(rules.every((r) => r.rule.resourceNames !== undefined && r.rule.resourceNames.length > 0), 'by name only');
  }
  // No source names a Secret: no Secret rule at all.
  const plain = await renderChart(tools, ['--namespace', 'modelship-system', '--set-json', 'analysis.sources=[{"name":"main","address":"http://p:9090","default":true}]']);
  assert.deepEqual(secretRules(plain), []);
});

void test('analysis sources: a Role in the release namespace with get on exactly the named Secrets, bound to the ServiceAccount; the file mounted and passed', async () => {
  const objects = await renderChart(tools, ['--namespace', 'modelship-system', ...SOURCES]);
  const role = findObject(objects, 'Role', 'modelship-analysis-sources', 'modelship-system');
  assert.deepEqual(role?.rules, [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['prom-ca', 'prom-token'], verbs: ['get'] }]);
  const binding = findObject(objects, 'RoleBinding', 'modelship-analysis-sources', 'modelship-system') as unknown as { roleRef: { kind: string; name: string }; subjects: unknown[] };
  assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'modelship-analysis-sources' });
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'modelship', namespace: 'modelship-system' }]);
  const configMap = findObject(objects, 'ConfigMap', 'modelship-analysis-sources', 'modelship-system') as unknown as { data: Record<string, string> };
  const file = parsePrometheusSources(configMap.data['sources.yaml'] ?? '', 'sources.yaml');
  assert.ok(file.ok, file.ok ? '' : file.errors.join());
  assert.deepEqual(file.sources.map((s) => s.name), ['main', 'thanos', 'open']);
  const args = operatorArgs(findObject(objects, 'Deployment')!);
  assert.ok(args.includes('--prometheus-sources=/etc/modelship/analysis/sources.yaml'), args.join(' '));
  assert.ok(args.includes('--operator-namespace=modelship-system'), args.join(' '));
  assert.ok(!args.some((a) => a.startsWith('--prometheus-user-')), 'user addresses and Secrets stay off');
});

void test('analysis.userSecrets: the one explicit opt-in to Secrets of the watched namespaces (a ClusterRole cluster-wide, a Role per namespace)', async () => {
  const cluster = await renderChart(tools, ['--namespace', 'modelship-system', '--set', 'analysis.userSecrets=true', '--set', 'analysis.userAddresses={http://prometheus.team-a:9090}']);
  const wide = secretRules(cluster).filter((r) => r.kind === 'ClusterRole');
  assert.deepEqual(wide.map((r) => r.rule), [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
  assert.deepEqual(byKind(cluster, 'ClusterRole').filter((r) => !isUserRole(r)).map((r) => r.metadata.name).sort(), ['modelship', 'modelship-analysis-user-secrets']);
  assert.deepEqual(byKind(cluster, 'ClusterRole').find((r) => r.metadata.name === 'modelship')?.rules?.filter((r) => r.resources?.includes('secrets')), []);
  const args = operatorArgs(findObject(cluster, 'Deployment')!);
  assert.ok(args.includes('--prometheus-user-secrets=true') && args.includes('--prometheus-user-addresses=http://prometheus.team-a:9090'), args.join(' '));

  const namespaced = await renderChart(tools, ['--namespace', 'modelship-system', '--set', 'analysis.userSecrets=true', '--set', 'watchNamespaces={team-a,team-b}']);
  assert.deepEqual(byKind(namespaced, 'ClusterRole'), []);
  assert.deepEqual(
    secretRules(namespaced).map((r) => `${r.kind} ${r.namespace}`).sort(),
    ['Role team-a', 'Role team-b'],
  );
});

void test('model registries: a Role with get on exactly the named Secrets, the file mounted and passed with the poll interval', async () => {
  const objects = await renderChart(tools, [
    '--namespace',
    'modelship-system',
    '--set-json',
    'registries=[{"name":"mlflow","type":"mlflow","address":"http://mlflow.mlflow:5000","bearerTokenSecret":{"name":"mlflow-token","key":"token"},"default":true},{"name":"team","type":"mlflow","address":"https://mlflow.example.com","basicAuthSecret":{"name":"team-mlflow"}}]',
    '--set',
    'registryPollInterval=30s',
  ]);
  const role = findObject(objects, 'Role', 'modelship-model-registries', 'modelship-system');
  assert.deepEqual(role?.rules, [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['mlflow-token', 'team-mlflow'], verbs: ['get'] }]);
  const binding = findObject(objects, 'RoleBinding', 'modelship-model-registries', 'modelship-system') as unknown as { subjects: unknown[] };
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'modelship', namespace: 'modelship-system' }]);
  const configMap = findObject(objects, 'ConfigMap', 'modelship-model-registries', 'modelship-system') as unknown as { data: Record<string, string> };
  const file = parseModelRegistries(configMap.data['registries.yaml'] ?? '', 'registries.yaml');
  assert.ok(file.ok, file.ok ? '' : file.errors.join());
  assert.deepEqual(file.registries.map((r) => r.name), ['mlflow', 'team']);
  const args = operatorArgs(findObject(objects, 'Deployment')!);
  assert.ok(args.includes('--model-registries=/etc/modelship/registries/registries.yaml'), args.join(' '));
  assert.ok(args.includes('--registry-poll-interval=30s'), args.join(' '));
  // None configured: no ConfigMap, no Role, no flag.
  const plain = await renderChart(tools, ['--namespace', 'modelship-system']);
  assert.equal(findObject(plain, 'Role', 'modelship-model-registries', 'modelship-system'), undefined);
  assert.ok(!operatorArgs(findObject(plain, 'Deployment')!).some((a) => a.startsWith('--model-registries')));
});

void test('retraining targets: a Role with get on exactly the named Secrets, the file mounted and passed', async () => {
  const objects = await renderChart(tools, [
    '--namespace',
    'modelship-system',
    '--set-json',
    'retrainingTargets={"airflow":[{"name":"airflow-prod","address":"http://airflow:8080","basicAuthSecret":{"name":"airflow-login"},"default":true}],"webhooks":[{"name":"ci-hook","url":"https://ci.example/hooks/retrain","hmacSecret":{"name":"ci-hook-key","key":"key"}}]}',
  ]);
  const role = findObject(objects, 'Role', 'modelship-retraining-targets', 'modelship-system');
  assert.deepEqual(role?.rules, [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['airflow-login', 'ci-hook-key'], verbs: ['get'] }]);
  const configMap = findObject(objects, 'ConfigMap', 'modelship-retraining-targets', 'modelship-system') as unknown as { data: Record<string, string> };
  const file = parseRetrainingTargets(configMap.data['targets.yaml'] ?? '', 'targets.yaml');
  assert.ok(file.ok, file.ok ? '' : file.errors.join());
  assert.deepEqual(file.targets.airflow.map((a) => a.name), ['airflow-prod']);
  assert.deepEqual(file.targets.webhooks.map((w) => w.name), ['ci-hook']);
  const deployment = findObject(objects, 'Deployment')!;
  assert.ok(operatorArgs(deployment).includes('--retraining-targets=/etc/modelship/retraining/targets.yaml'));
  assert.ok(JSON.stringify(deployment).includes('"mountPath":"/etc/modelship/retraining"'));
  // None configured: no ConfigMap, no Role, no flag.
  const plain = await renderChart(tools, ['--namespace', 'modelship-system']);
  assert.equal(findObject(plain, 'ConfigMap', 'modelship-retraining-targets', 'modelship-system'), undefined);
  assert.equal(findObject(plain, 'Role', 'modelship-retraining-targets', 'modelship-system'), undefined);
  assert.ok(!operatorArgs(findObject(plain, 'Deployment')!).some((a) => a.startsWith('--retraining-targets')));
});
