// The Helm chart on a real control plane, installed with the project's helm, and the real operator
// (`node src/main.ts`) run as the chart's ServiceAccount with the flags the chart's Deployment passes:
// least-privilege RBAC is enough for every example (and for pruning, events and leader election); a
// missing rule shows in the ModelDeployment's status; a restricted namespace admits the operator's and
// the model's pods; an upgrade from the previous chart version rolls no model; namespaced mode needs no
// cluster-wide permission. The chart's pods are kwok's: scheduled and Ready, with no process inside.
//
// The control plane is this file's own: the operator runs cluster-wide here and must not reconcile other
// files' ModelDeployments. Its API server runs the OwnerReferencesPermissionEnforcement admission plugin
// (off by default, on in OpenShift and hardened clusters), which checks blockOwnerDeletion against RBAC.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CoordinationV1Api, CoreV1Api, FlowcontrolApiserverV1Api, RbacAuthorizationV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { startControlPlane } from '../cluster/control-plane.ts';
import { installCrdFiles, installGatewayApiCrds, installIstioCrds, installTraefikCrds } from '../cluster/traffic.ts';
import { mintServiceAccountKubeconfig, serviceAccountKubeconfigFile } from '../cluster/service-account-kubeconfig.ts';
import { apfClassification } from '../support/apf-classification.ts';
import { loadKubeConfig } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { boundClaim } from '../support/volumes.ts';
import { runTool } from '../support/run-tool.ts';
import { startOperatorProcess, type OperatorProcess } from '../support/operator-process.ts';
import { conditionOf, createModelDeployment, examplesDir, exampleFiles, mdRef, modelWithRollout, readExample, readyForGeneration, testClient } from '../support/model-deployments.ts';
import { chartDir, helm, mustSucceed, operatorArgs, packageChartCopy, parseObjects, type PolicyRule } from '../support/helm-chart.ts';
import { prometheusOperatorCrdFiles } from '../support/prometheus-operator-crds.ts';
import { answerJson, hostileServer } from '../support/hostile-server.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { KubeObject } from '../../src/kube/api-client.ts';

const cp = await startControlPlane({ apiServerFlags: ['--enable-admission-plugins=OwnerReferencesPermissionEnforcement'] });
after(() => cp.stop());
const tools = cp.toolsDir;
const kubeconfig = cp.kubeconfigPath;
const kc = loadKubeConfig(kubeconfig);
const client = testClient(kc);
const core = kc.makeApiClient(CoreV1Api);
const coordination = kc.makeApiClient(CoordinationV1Api);
const flowcontrol = kc.makeApiClient(FlowcontrolApiserverV1Api);

const SYSTEM = 'modelship-system';
/** kwok never pulls it. */
const IMAGE = ['--set', 'image.repository=registry.example/modelship'];
/** RBAC's refusal ('User "..." cannot list resource ...') and OwnerReferencesPermissionEnforcement's. */
const FORBIDDEN = /\bcannot (get|list|watch|create|update|patch|delete) resource\b|cannot set blockOwnerDeletion/;

const kubectl = (args: readonly string[], input?: string) => mustSucceed(`kubectl ${args.slice(0, 2).join(' ')}`, runTool(tools, 'kubectl', ['--kubeconfig', kubeconfig, ...args], input));
const helmRun = (args: readonly string[]) => mustSucceed(`helm ${args[0] ?? ''}`, helm(tools, args, kubeconfig));

async function createNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  await core.createNamespace({ body: { metadata: { name, labels } } });
}

type Deployment = KubeObject & { spec?: unknown };
type Md = ModelDeploymentObject;

/**
 * The flags of the release's operator Deployment, minus the listen addresses (the local process picks free
 * ports); the analysis sources file the pod mounts from its ConfigMap is written locally instead.
 */
async function releaseFlags(namespace: string, deployment: string): Promise<string[]> {
  const d = await client.get<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: deployment });
  assert.ok(d, `Deployment ${namespace}/${deployment}`);
  const flags = operatorArgs(d).filter((a) => !/^--(metrics|health-probe)-bind-address=/.test(a));
  if (!flags.some((a) => a.startsWith('--prometheus-sources='))) return flags;
  const configMap = await core.readNamespacedConfigMap({ namespace, name: `${deployment}-analysis-sources` });
  const file = join(mkdtempSync(join(tmpdir(), 'modelship-sources-')), 'sources.yaml');
  writeFileSync(file, configMap.data?.['sources.yaml'] ?? '');
  return flags.map((a) => (a.startsWith('--prometheus-sources=') ? `--prometheus-sources=${file}` : a));
}

/** The operator as the release's ServiceAccount, with the release Deployment's flags. */
async function startReleaseOperator(namespace: string, release: string, identity: string): Promise<{ op: OperatorProcess; flags: string[] }> {
  const name = release.includes('modelship') ? release : `${release}-modelship`; // the chart's fullname
  const flags = await releaseFlags(namespace, name);
  const saKubeconfig = await serviceAccountKubeconfigFile(kc, namespace, name);
  const op = startOperatorProcess(saKubeconfig, identity, flags);
  await op.metricsPort();
  return { op, flags };
}

async function stopOperator(op: OperatorProcess): Promise<void> {
  op.kill('SIGTERM');
  assert.equal(await op.exited(), 0, op.output().slice(-2000));
}

const leaseHolder = async (namespace: string, name: string) => (await coordination.readNamespacedLease({ namespace, name })).spec?.holderIdentity ?? '';

async function events(namespace: string): Promise<CoreV1Event[]> {
  return (await core.listNamespacedEvent({ namespace })).items;
}

const ready = (namespace: string, name: string) => readyForGeneration(client, namespace, name, 120_000);

test('helm lint --strict, and the rendered chart is accepted by the API server (server dry run) cluster-wide and namespaced', { timeout: 240_000 }, async () => {
  const sources = [{ name: 'main', address: 'https://prometheus.monitoring:9090', bearerTokenSecret: { name: 'prom-token', key: 'token' }, default: true }];
  const everything = [
    ...['--set', 'replicas=2', '--set', 'serviceMonitor.enabled=true', '--set', 'prometheusRule.enabled=true', '--set', 'networkPolicy.enabled=true'],
    ...['--set-json', `analysis.sources=${JSON.stringify(sources)}`, '--set', 'analysis.userAddresses={http://prometheus.team-a:9090}', '--set', 'analysis.userSecrets=true'],
  ];
  const namespaced = ['--set', 'watchNamespaces={team-a,team-b}'];
  for (const values of [[], everything, [...everything, ...namespaced]]) {
    const out = await helmRun(['lint', '--strict', chartDir, ...values]);
    assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  }
  // CRDs first: the chart's own copy, prometheus-operator's for the monitoring objects, and the routers'
  // (the operator lists them; the examples use all three).
  await installCrdFiles(tools, kubeconfig, [resolve(chartDir, 'crds', 'modelship.io_modeldeployments.yaml'), ...(await prometheusOperatorCrdFiles())]);
  await installGatewayApiCrds(kubeconfig, tools);
  await installIstioCrds(kubeconfig, tools);
  await installTraefikCrds(kubeconfig, tools);
  for (const ns of [SYSTEM, 'team-a', 'team-b']) await createNamespace(ns);

  for (const [mode, values] of [
    ['cluster-wide', everything],
    ['namespaced', [...everything, ...namespaced]],
  ] as const) {
    const manifest = await helmRun(['template', 'modelship', chartDir, '--namespace', SYSTEM, ...values]);
    const objects = parseObjects(manifest);
    const out = await kubectl(['apply', '--dry-run=server', '-f', '-'], manifest);
    const accepted = out.split('\n').filter((l) => l.endsWith('created (server dry run)'));
    assert.equal(accepted.length, objects.length, `${mode}: every object accepted:\n${out}`);
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of ['Deployment', 'ServiceAccount', 'Service', 'ConfigMap', 'Role', 'RoleBinding', 'ServiceMonitor', 'PrometheusRule', 'NetworkPolicy', 'PodDisruptionBudget']) {
      assert.ok(kinds.has(kind), `${mode} renders a ${kind}`);
    }
    assert.equal(kinds.has('ClusterRole'), mode === 'cluster-wide', `${mode}: ClusterRole only cluster-wide`);
    assert.equal(kinds.has('FlowSchema'), mode === 'cluster-wide', `${mode}: FlowSchema only cluster-wide`);
  }
});

test('a typo in values fails helm install, naming the property; nothing is installed', async () => {
  const r = await helm(tools, ['install', 'modelship', chartDir, '--namespace', SYSTEM, ...IMAGE, '--set', 'replica=2'], kubeconfig);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /values don't meet the specifications of the schema/);
  assert.match(r.stderr, /at '': additional properties 'replica' not allowed/);
  const nested = await helm(tools, ['install', 'modelship', chartDir, '--namespace', SYSTEM, ...IMAGE, '--set', 'networkPolicy.enable=true'], kubeconfig);
  assert.match(nested.stderr, /at '\/networkPolicy': additional properties 'enable' not allowed/);
  assert.equal((await helmRun(['list', '--namespace', SYSTEM, '--short'])).trim(), '');
});

const examplesNs = await testNamespace(kc, 'examples');
// The main release's operator: each test starts its own (node:test's after() in startOperatorProcess
// kills it when the test ends) and stops it gracefully, so the next one gets the Lease at once.
const startMain = async () => (await startReleaseOperator(SYSTEM, 'modelship', 'modelship-e2e')).op;

// The platform's Prometheus for the canary test: a local server that records the headers it is sent. The
// main release names it as its analysis source, with a token Secret in the release's namespace.
const prometheus = await hostileServer(answerJson({ status: 'success', data: { resultType: 'vector', result: [] } }));
const ANALYSIS_VALUES = [
  '--set-json',
  `analysis.sources=${JSON.stringify([{ name: 'main', address: prometheus.url, bearerTokenSecret: { name: 'prom-token', key: 'token' }, default: true }])}`,
  '--set',
  'outbound.allowCidrs={127.0.0.1/32}',
];

test('installed with helm, the operator as the chart\'s ServiceAccount brings every example to Ready with no 403', { timeout: 300_000 }, async () => {
  await core.createNamespacedSecret({ namespace: SYSTEM, body: { metadata: { name: 'prom-token' }, stringData: { token: 'e2e' } } });
  await helmRun(['install', 'modelship', chartDir, '--namespace', SYSTEM, ...IMAGE, ...ANALYSIS_VALUES, '--wait', '--timeout', '2m']);
  const pods = await core.listNamespacedPod({ namespace: SYSTEM, labelSelector: 'app.kubernetes.io/instance=modelship' });
  assert.equal(pods.items.length, 1);
  assert.equal(pods.items[0]?.spec?.serviceAccountName, 'modelship');

  const started = await startReleaseOperator(SYSTEM, 'modelship', 'modelship-e2e');
  const main = started.op;
  assert.ok(started.flags.includes('--leader-elect=true'), started.flags.join(' '));
  await eventually('the operator to hold the Lease', () => leaseHolder(SYSTEM, 'modelship-leader'), (h) => h === 'modelship-e2e', 30_000);

  await boundClaim(kc, examplesNs, 'models'); // examples/custom.yaml serves from pvc://models
  await kubectl(['apply', '--namespace', examplesNs, '-f', examplesDir]);
  for (const file of exampleFiles()) await ready(examplesNs, readExample(file).metadata.name);

  // Events are written (create) by the operator, as the ServiceAccount.
  const written = (await events(examplesNs)).filter((e) => e.reportingComponent === 'modelship');
  assert.ok(written.some((e) => e.reason === 'Applied') && written.some((e) => e.reason === 'Ready'), written.map((e) => e.reason).join(','));
  // Pruning (delete): one replica needs no PodDisruptionBudget.
  const pdb = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', namespace: examplesNs, name: 'iris-stable' };
  assert.ok(await client.get(pdb));
  await client.mergePatch(mdRef(examplesNs, 'iris'), { spec: { replicas: 1 } });
  await eventually('the PodDisruptionBudget pruned', () => client.get(pdb), (p) => p === undefined, 60_000);
  await ready(examplesNs, 'iris');
  assert.doesNotMatch(main.output(), FORBIDDEN);
  await stopOperator(main);
});

test("the release's FlowSchema: its priority level found, and the operator's Lease requests, only those, classified by it", { timeout: 60_000 }, async () => {
  // The main release is installed (test above), with leader election, so its Lease exists.
  const schema = await flowcontrol.readFlowSchema({ name: 'modelship-leader-election' });
  assert.equal(schema.spec?.priorityLevelConfiguration.name, 'leader-election');
  // The API server's configuration controller writes the status: Dangling False, the level exists.
  const dangling = await eventually(
    'the FlowSchema to have its Dangling condition',
    async () => (await flowcontrol.readFlowSchema({ name: 'modelship-leader-election' })).status?.conditions?.find((c) => c.type === 'Dangling'),
    (c) => c !== undefined,
    30_000,
  );
  assert.equal(dangling?.status, 'False', JSON.stringify(dangling));
  const leaderElection = await flowcontrol.readPriorityLevelConfiguration({ name: 'leader-election' });
  // Precedence 150 sits between the built-in system-leader-election's and every other built-in one's.
  const builtIn = (await flowcontrol.listFlowSchema()).items.filter((f) => f.metadata?.name !== 'modelship-leader-election').map((f) => [f.metadata?.name, f.spec?.matchingPrecedence] as const);
  assert.ok(builtIn.some(([name, p]) => name === 'system-leader-election' && p === 100), JSON.stringify(builtIn));
  assert.deepEqual(builtIn.filter(([, p]) => p !== undefined && p >= 100 && p <= 150).map(([name]) => name), ['system-leader-election'], JSON.stringify(builtIn));

  const asOperator = await mintServiceAccountKubeconfig(kc, SYSTEM, 'modelship');
  const lease = await apfClassification(asOperator, `/apis/coordination.k8s.io/v1/namespaces/${SYSTEM}/leases/modelship-leader`);
  assert.equal(lease.status, 200);
  assert.equal(lease.flowSchemaUid, schema.metadata?.uid, 'the operator reading its Lease');
  assert.equal(lease.priorityLevelUid, leaderElection.metadata?.uid);
  // Anything else it sends stays with the other ServiceAccounts' requests: its other requests, a Lease of
  // another namespace (refused by RBAC, classified before), and another ServiceAccount reading its Lease.
  const serviceAccounts = await flowcontrol.readFlowSchema({ name: 'service-accounts' });
  const others = [
    await apfClassification(asOperator, `/apis/modelship.io/v1alpha1/modeldeployments?limit=1`),
    await apfClassification(asOperator, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler'),
    await apfClassification(await mintServiceAccountKubeconfig(kc, SYSTEM, 'default'), `/apis/coordination.k8s.io/v1/namespaces/${SYSTEM}/leases/modelship-leader`),
  ];
  assert.deepEqual(
    others.map((c) => [c.status, c.flowSchemaUid]),
    [
      [200, serviceAccounts.metadata?.uid],
      [403, serviceAccounts.metadata?.uid],
      [403, serviceAccounts.metadata?.uid],
    ],
  );
});

test("users' roles: a namespace's editors manage ModelDeployments and only read their status, its viewers only read", { timeout: 120_000 }, async () => {
  // The main release is installed (test above); the controller-manager aggregates its user roles into
  // the default admin/edit/view ClusterRoles, which namespaces bind as usual.
  const team = await testNamespace(kc, 'users');
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  for (const [user, role] of [['alice', 'edit'], ['bob', 'view']] as const) {
    await rbac.createNamespacedRoleBinding({ namespace: team, body: { metadata: { name: `${user}-${role}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }] } });
  }
  const can = async (user: string, ...args: string[]) => (await runTool(tools, 'kubectl', ['--kubeconfig', kubeconfig, 'auth', 'can-i', '--as', user, '--namespace', team, ...args])).stdout.trim();
  await eventually('edit to include ModelDeployments', () => can('alice', 'create', 'modeldeployments.modelship.io'), (a) => a === 'yes', 30_000);
  assert.equal(await can('alice', 'delete', 'modeldeployments.modelship.io'), 'yes');
  assert.equal(await can('alice', 'get', 'modeldeployments.modelship.io', '--subresource=status'), 'yes');
  assert.equal(await can('alice', 'patch', 'modeldeployments.modelship.io', '--subresource=status'), 'no', 'status is the operator\'s');
  await eventually('view to include ModelDeployments', () => can('bob', 'list', 'modeldeployments.modelship.io'), (a) => a === 'yes', 30_000);
  assert.equal(await can('bob', 'create', 'modeldeployments.modelship.io'), 'no');
  assert.equal((await runTool(tools, 'kubectl', ['--kubeconfig', kubeconfig, 'auth', 'can-i', '--as', 'alice', '--namespace', examplesNs, 'create', 'modeldeployments.modelship.io'])).stdout.trim(), 'no', 'only in the namespace bound');
});

test('canary paths as the ServiceAccount: a validation Job, the smoke samples ConfigMap and the analysis source\'s token Secret are read; no other Secret can be', { timeout: 180_000 }, async () => {
  const main = await startMain();
  const ns = await testNamespace(kc, 'canary');
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'samples' }, data: { 'samples.json': JSON.stringify([{ inputs: [{ name: 'x', shape: [1, 1], datatype: 'FP32', data: [1] }] }]) } } });
  // A Secret of the user's namespace with the platform Secret's name: never read, and not readable.
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'prom-token' }, stringData: { token: 'user-namespace' } } });
  const sa = `system:serviceaccount:${SYSTEM}:modelship`;
  const can = async (...args: string[]) => (await runTool(tools, 'kubectl', ['--kubeconfig', kubeconfig, 'auth', 'can-i', '--as', sa, ...args])).stdout.trim();
  assert.equal(await can('get', 'secrets/prom-token', '--namespace', SYSTEM), 'yes');
  assert.equal(await can('get', 'secrets/other', '--namespace', SYSTEM), 'no');
  assert.equal(await can('get', 'secrets/prom-token', '--namespace', ns), 'no');
  assert.equal(await can('get', 'secrets', '--all-namespaces'), 'no');
  assert.equal(await can('list', 'secrets', '--namespace', SYSTEM), 'no');
  const canary = (validation: Record<string, unknown>, analysis?: Record<string, unknown>) => ({
    strategy: 'canary',
    steps: [{ weight: 50 }, { pause: {} }],
    scaleDownDelaySeconds: 1,
    validation,
    ...(analysis ? { analysis } : {}),
  });
  // The release's analysis source, by name: its token is read from the release's namespace and sent.
  const analysis = { interval: '10s', prometheus: { source: 'main' } };
  // Validation needs a router provider (the CRD refuses it with replicas). istio: the VirtualService's
  // weights count as applied, so the canary takes its weight and analysis starts without a data plane.
  await createModelDeployment(client, ns, { ...modelWithRollout('gated', { ...canary({ job: { image: 'registry.example/holdout:1', timeoutSeconds: 120 } }, analysis), traffic: { provider: 'istio' } }) });
  const router = { provider: 'gateway-api', gateway: { name: 'ml-gateway', namespace: 'gateways' } };
  await createModelDeployment(client, ns, modelWithRollout('smoked', { ...canary({ smoke: { samples: { configMap: 'samples' }, maxLatencyMs: 200 } }), traffic: router }));
  for (const name of ['gated', 'smoked']) {
    await ready(ns, name);
    await client.mergePatch(mdRef(ns, name), { spec: { model: { version: '2', uri: `s3://models/${name}/2` } } });
  }

  // The Job was applied and judged; then analysis read the source's Secret and asked its Prometheus.
  const gated = await eventually('an analysis measurement of gated', () => client.get<Md>(mdRef(ns, 'gated')), (m) => (m?.status?.analysis?.runs ?? 0) >= 1, 90_000);
  assert.equal(gated?.status?.analysis?.validation?.job, 'gated-validate-2');
  assert.equal(gated?.status?.analysis?.validation?.phase, 'Passed');
  assert.notEqual(gated?.status?.analysis?.verdict, 'Error', gated?.status?.analysis?.message);
  assert.ok(prometheus.seen.length > 0, 'the analysis source was asked');
  assert.deepEqual([...new Set(prometheus.seen.map((h) => h.authorization))], ['Bearer e2e'], "the token of the release namespace's Secret, not the user's");
  assert.ok(!(await events(ns)).some((e) => e.reason === 'AnalysisUnavailable'), 'no measurement failed');
  // The smoke check read its samples and judged the canary pods (kwok's: whatever answers there).
  const smoked = await eventually('smoked validated', () => client.get<Md>(mdRef(ns, 'smoked')), (m) => ['Passed', 'Failed'].includes(m?.status?.analysis?.validation?.phase ?? ''), 60_000);
  assert.equal(smoked?.status?.analysis?.validation?.method, 'smoke');
  assert.doesNotMatch(smoked?.status?.analysis?.validation?.message ?? '', /ConfigMap/);
  assert.doesNotMatch(main.output(), FORBIDDEN);
  await stopOperator(main);
});

test('a rule taken away shows in the ModelDeployment\'s status (Stalled ApplyForbidden, naming it); restored, it recovers', { timeout: 180_000 }, async () => {
  const main = await startMain();
  const role = await kubectl(['get', 'clusterrole', 'modelship', '-o', 'json']);
  const rules = (JSON.parse(role) as { rules: PolicyRule[] }).rules;
  const index = rules.findIndex((r) => r.resources?.includes('deployments'));
  assert.deepEqual(rules[index]?.verbs, ['get', 'list', 'watch', 'create', 'patch', 'delete']);
  const withoutPatch = rules.map((r, i) => (i === index ? { ...r, verbs: ['get', 'list', 'watch', 'create', 'delete'] } : r));
  await kubectl(['patch', 'clusterrole', 'modelship', '--type=merge', '-p', JSON.stringify({ rules: withoutPatch })]);

  const md = { ...readExample('mlserver-sklearn.yaml'), metadata: { name: 'no-patch' } };
  await createModelDeployment(client, examplesNs, md);
  const stalled = await eventually(
    'no-patch Stalled',
    () => client.get<Md>(mdRef(examplesNs, 'no-patch')),
    (m) => conditionOf(m, 'Stalled')?.status === 'True',
    60_000,
  );
  const condition = conditionOf(stalled, 'Stalled');
  assert.equal(condition?.reason, 'ApplyForbidden');
  assert.match(condition?.message ?? '', /may not apply Deployment no-patch-stable/);
  assert.match(condition?.message ?? '', /cannot patch resource "deployments" in API group "apps"/);
  assert.match(condition?.message ?? '', /system:serviceaccount:modelship-system:modelship/);
  assert.equal(conditionOf(stalled, 'Ready')?.status, 'False');
  const warning = await eventually('a Warning Event', () => events(examplesNs), (es) => es.some((e) => e.involvedObject.name === 'no-patch' && e.type === 'Warning' && e.reason === 'ApplyForbidden'), 30_000);
  assert.ok(warning);

  // The rule back, and any change to the object: it converges.
  await kubectl(['patch', 'clusterrole', 'modelship', '--type=merge', '-p', JSON.stringify({ rules })]);
  await client.mergePatch(mdRef(examplesNs, 'no-patch'), { metadata: { annotations: { 'example.com/rbac': 'restored' } } });
  await ready(examplesNs, 'no-patch');

  // update on modeldeployments/finalizers is no call of the operator's, but this API server (like any with
  // OwnerReferencesPermissionEnforcement) checks it before a child may block its owner's deletion.
  const withoutFinalizers = rules.filter((r) => !r.resources?.includes('modeldeployments/finalizers'));
  assert.equal(withoutFinalizers.length, rules.length - 1);
  await kubectl(['patch', 'clusterrole', 'modelship', '--type=merge', '-p', JSON.stringify({ rules: withoutFinalizers })]);
  await createModelDeployment(client, examplesNs, { ...md, metadata: { name: 'no-finalizers' } });
  const blocked = await eventually('no-finalizers Stalled', () => client.get<Md>(mdRef(examplesNs, 'no-finalizers')), (m) => conditionOf(m, 'Stalled')?.status === 'True', 60_000);
  assert.equal(conditionOf(blocked, 'Stalled')?.reason, 'ApplyForbidden');
  assert.match(conditionOf(blocked, 'Stalled')?.message ?? '', /blockOwnerDeletion/);
  await kubectl(['patch', 'clusterrole', 'modelship', '--type=merge', '-p', JSON.stringify({ rules })]);
  await client.mergePatch(mdRef(examplesNs, 'no-finalizers'), { metadata: { annotations: { 'example.com/rbac': 'restored' } } });
  await ready(examplesNs, 'no-finalizers');
  await stopOperator(main);
});

test('a namespace enforcing Pod Security "restricted" admits the operator\'s pod and the model pods it creates', { timeout: 180_000 }, async () => {
  const main = await startMain();
  const ns = 'restricted-ml';
  await createNamespace(ns, { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' });
  after(() => core.deleteNamespace({ name: ns }).catch(() => undefined));
  // The namespace does enforce: a pod with default security settings is refused.
  const plain = JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'plain', namespace: ns }, spec: { containers: [{ name: 'c', image: 'registry.example/c:1' }] } });
  const refused = await runTool(tools, 'kubectl', ['--kubeconfig', kubeconfig, 'apply', '--dry-run=server', '-f', '-'], plain);
  assert.match(refused.stderr, /violates PodSecurity "restricted:latest"/);

  await helmRun(['install', 'restricted', chartDir, '--namespace', ns, ...IMAGE, '--set', 'replicas=2', '--wait', '--timeout', '2m']);
  const operatorPods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/instance=restricted' });
  assert.equal(operatorPods.items.length, 2);

  await createModelDeployment(client, ns, readExample('mlserver-sklearn.yaml'));
  await ready(ns, 'iris');
  const modelPods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'modelship.io/model-deployment=iris' });
  assert.equal(modelPods.items.length, 2);
  const failed = (await events(ns)).filter((e) => e.reason === 'FailedCreate');
  assert.deepEqual(failed.map((e) => e.message), []);
  await helmRun(['uninstall', 'restricted', '--namespace', ns, '--wait']);
  assert.doesNotMatch(main.output(), FORBIDDEN);
  await stopOperator(main);
});

test('helm upgrade from chart 0.1.0: the model stays Ready and is not rolled while the new operator takes over', { timeout: 300_000 }, async () => {
  const ns = 'modelship-upgrade';
  await createNamespace(ns);
  const previous = await packageChartCopy(tools, '0.1.0', '0.0.9');
  await helmRun(['install', 'fleet', previous, '--namespace', ns, ...IMAGE, '--wait', '--timeout', '2m']);
  const release = async () => (JSON.parse(await helmRun(['list', '--namespace', ns, '--output', 'json'])) as { chart: string; app_version: string }[])[0];
  assert.deepEqual(await release().then((r) => [r?.chart, r?.app_version]), ['modelship-0.1.0', '0.0.9']);
  const old = await startReleaseOperator(ns, 'fleet', 'fleet-0-1-0');
  await eventually('the old operator to lead', () => leaseHolder(ns, 'fleet-modelship-leader'), (h) => h === 'fleet-0-1-0', 30_000);

  const modelsNs = await testNamespace(kc, 'upgrade');
  await createModelDeployment(client, modelsNs, readExample('mlserver-sklearn.yaml'));
  const before = await ready(modelsNs, 'iris');
  const deploymentRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: modelsNs, name: 'iris-stable' };
  const modelDeployment = async () => client.get<Deployment>(deploymentRef);
  const generationBefore = (await modelDeployment())?.metadata?.generation;

  // Watch Ready through the whole upgrade.
  const notReady: string[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const md = await client.get<Md>(mdRef(modelsNs, 'iris'));
      const c = conditionOf(md, 'Ready');
      if (c?.status !== 'True') notReady.push(`${c?.status}: ${c?.reason}`);
      await new Promise((r) => setTimeout(r, 200)); // the watcher's poll interval: Ready is sampled throughout the upgrade
    }
  })();

  await helmRun(['upgrade', 'fleet', chartDir, '--namespace', ns, ...IMAGE, '--wait', '--timeout', '2m']);
  assert.deepEqual(await release().then((r) => [r?.chart, r?.app_version]), ['modelship-0.2.0', '0.1.0']);
  const operatorDeployment = await client.get<Deployment & { spec: { template: { spec: { containers: { image: string }[] } } } }>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'fleet-modelship' });
  assert.equal(operatorDeployment?.spec.template.spec.containers[0]?.image, 'registry.example/modelship:0.1.0');

  // As a rolling update does it: the new operator (a fresh token, the new Deployment's flags) waits for
  // the Lease, the old one stops gracefully and hands it over.
  const next = await startReleaseOperator(ns, 'fleet', 'fleet-0-2-0');
  assert.equal(await leaseHolder(ns, 'fleet-modelship-leader'), 'fleet-0-1-0');
  await stopOperator(old.op);
  await eventually('the new operator to lead', () => leaseHolder(ns, 'fleet-modelship-leader'), (h) => h === 'fleet-0-2-0', 30_000);
  // Converged: it reconciled the ModelDeployment and found nothing to write.
  const success = 'controller_runtime_reconcile_total{controller="modeldeployment",result="success"}';
  await eventually('a reconcile by the new operator', () => next.op.metric(success), (n) => n >= 1, 30_000);
  assert.ok((await next.op.metric('modelship_apply_skipped_total{kind="Deployment"}')) >= 1);
  const applied = next.op.logLines().filter((l) => l.key === `${modelsNs}/iris` && l.msg === 'applied');
  assert.deepEqual(applied, [], 'no child of iris was applied again');
  watching = false;
  await watcher;

  assert.deepEqual(notReady, [], 'Ready stayed True throughout');
  const upgraded = await ready(modelsNs, 'iris');
  assert.equal(upgraded?.metadata?.generation, before?.metadata?.generation);
  assert.equal((await modelDeployment())?.metadata?.generation, generationBefore, 'the model Deployment was not rolled');
  assert.doesNotMatch(next.op.output(), FORBIDDEN);
  await stopOperator(next.op);
});

test('namespaced mode: Roles only, and the operator with --watch-namespaces converges there with no 403', { timeout: 240_000 }, async () => {
  const ns = 'modelship-scoped';
  await createNamespace(ns);
  const watched = await testNamespace(kc, 'team');
  const other = await testNamespace(kc, 'other');
  await helmRun(['install', 'scoped', chartDir, '--namespace', ns, ...IMAGE, '--set', `watchNamespaces={${watched}}`, '--wait', '--timeout', '2m']);

  const manifest = parseObjects(await helmRun(['get', 'manifest', 'scoped', '--namespace', ns]));
  assert.deepEqual(manifest.filter((o) => o.kind.startsWith('Cluster')), []);
  assert.deepEqual(
    manifest.filter((o) => o.kind === 'Role').map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort(),
    [`${ns}/scoped-modelship-leader-election`, `${watched}/scoped-modelship`].sort(),
  );
  const sa = `system:serviceaccount:${ns}:scoped-modelship`;
  const can = async (...args: string[]) => (await runTool(tools, 'kubectl', ['--kubeconfig', kubeconfig, 'auth', 'can-i', '--as', sa, ...args])).stdout.trim();
  assert.equal(await can('list', 'modeldeployments.modelship.io', '--namespace', watched), 'yes');
  assert.equal(await can('list', 'modeldeployments.modelship.io', '--all-namespaces'), 'no');
  assert.equal(await can('patch', 'deployments.apps', '--namespace', other), 'no');

  const { op, flags } = await startReleaseOperator(ns, 'scoped', 'scoped-e2e');
  assert.ok(flags.includes(`--watch-namespaces=${watched}`), flags.join(' '));
  for (const file of ['mlserver-sklearn.yaml', 'rollout-gateway-api.yaml']) await createModelDeployment(client, watched, readExample(file));
  await createModelDeployment(client, other, readExample('mlserver-sklearn.yaml'));
  await ready(watched, 'iris');
  await ready(watched, 'fraud-ab');
  assert.equal((await client.get<Md>(mdRef(other, 'iris')))?.status, undefined, 'a namespace it does not watch is left alone');
  assert.doesNotMatch(op.output(), FORBIDDEN);
  await stopOperator(op);
});
