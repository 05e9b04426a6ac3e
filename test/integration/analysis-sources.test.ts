// Platform-owned analysis sources against a real control plane, with the operator as a real process run as
// the chart's ServiceAccount, with the chart's RBAC, sources file and flags (three releases rendered with
// `helm template`, namespaced, one per platform setting). Local servers posing as Prometheus record every
// request's headers. A platform source sends exactly its own token, read from the operator's namespace
// (not the same-named Secret of the user's); a user address is refused by default (AddressNotAllowed) and
// outside the allowed patterns; a user Secret is refused while user Secrets are off, and without the
// opt-in label when they are on (SecretNotAllowed); an unknown source is UnknownAnalysisSource. No Secret
// value reaches a server it was not meant for, status, an Event or the log, whatever the spec says.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CoreV1Api, KubernetesObjectApi, type CoreV1Event } from '@kubernetes/client-node';
import { sharedCluster } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { answerJson, hostileServer, type HostileServer } from '../support/hostile-server.ts';
import { conditionOf, createModelDeployment, mdRef, modelWithRollout, readyForGeneration, testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { startOperatorProcess, type OperatorProcess } from '../support/operator-process.ts';
import { findObject, operatorArgs, renderChart } from '../support/helm-chart.ts';
import { serviceAccountKubeconfigFile } from '../cluster/service-account-kubeconfig.ts';
import { upsert } from '../cluster/upsert-object.ts';
import { eventually } from '../support/wait.ts';
import { ANALYSIS_CREDENTIALS_LABEL } from '../../src/api/constants.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { ModelDeploymentStatus } from '../../src/api/index.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const core = kc.makeApiClient(CoreV1Api);
const objects = KubernetesObjectApi.makeApiClient(kc);

const platform = await testNamespace(kc, 'sources-platform');
/** One watched namespace per operator: platform sources only; user addresses allowed; user addresses and Secrets allowed. */
const ns = { sources: await testNamespace(kc, 'sources-only'), addresses: await testNamespace(kc, 'sources-addr'), secrets: await testNamespace(kc, 'sources-secrets') };

const MARK = { platform: 'ZZ-PLATFORM-TOKEN-ZZ', sameName: 'ZZ-USER-SAME-NAME-ZZ', unlabelled: 'ZZ-USER-UNLABELLED-ZZ', labelled: 'ZZ-USER-LABELLED-ZZ' };

const secret = (namespace: string, name: string, token: string, labels: Record<string, string> = {}) =>
  core.createNamespacedSecret({ namespace, body: { metadata: { name, labels }, stringData: { token } } });
await secret(platform, 'platform-token', MARK.platform);
for (const n of Object.values(ns)) {
  // Named as the platform's Secret: a source must never read this one.
  await secret(n, 'platform-token', MARK.sameName);
  await secret(n, 'unlabelled', MARK.unlabelled);
  await secret(n, 'labelled', MARK.labelled, { [ANALYSIS_CREDENTIALS_LABEL]: 'true' });
}

const emptyVector = { status: 'success', data: { resultType: 'vector', result: [] } };
const servers = {
  /** The platform source's Prometheus. */
  platform: await hostileServer(answerJson(emptyVector)),
  /** Named by ModelDeployments in every refused case: must see nothing at all. */
  refused: await hostileServer(answerJson(emptyVector)),
  /** A user address that is allowed, without credentials. */
  open: await hostileServer(answerJson(emptyVector)),
  /** A user address that is allowed, with the labelled Secret. */
  labelled: await hostileServer(answerJson(emptyVector)),
};

const sources = [{ name: 'main', address: servers.platform.url, bearerTokenSecret: { name: 'platform-token', key: 'token' }, default: true }];

/**
 * A release of the chart rendered for `watched`: its ServiceAccount, Roles, RoleBindings and sources
 * ConfigMap created in the cluster, and the operator started as that ServiceAccount with the
 * Deployment's flags (the sources file written locally, where the pod would mount it).
 */
async function startRelease(release: string, watched: string, values: Record<string, unknown>): Promise<OperatorProcess> {
  const rendered = await renderChart(cluster.toolsDir, [
    '--namespace',
    platform,
    '--set',
    `fullnameOverride=${release}`,
    '--set',
    `watchNamespaces={${watched}}`,
    '--set',
    'leaderElection.enabled=false',
    '--set',
    'outbound.allowCidrs={127.0.0.1/32}',
    '--set-json',
    `analysis.sources=${JSON.stringify(sources)}`,
    ...Object.entries(values).flatMap(([k, v]) => ['--set-json', `${k}=${JSON.stringify(v)}`]),
  ]);
  for (const o of rendered.filter((r) => ['ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap'].includes(r.kind))) {
    await upsert(objects, o);
  }
  assert.equal(rendered.filter((o) => o.kind.startsWith('Cluster')).length, 0, 'nothing cluster-wide');
  const configMap = findObject(rendered, 'ConfigMap', `${release}-analysis-sources`) as unknown as { data: Record<string, string> };
  const file = join(mkdtempSync(join(tmpdir(), 'modelship-sources-')), 'sources.yaml');
  writeFileSync(file, configMap.data['sources.yaml'] ?? '');
  const flags = operatorArgs(findObject(rendered, 'Deployment')!)
    .filter((a) => !/^--(metrics|health-probe)-bind-address=/.test(a))
    .map((a) => (a.startsWith('--prometheus-sources=') ? `--prometheus-sources=${file}` : a));
  assert.ok(flags.includes(`--operator-namespace=${platform}`), flags.join(' '));
  const kubeconfig = await serviceAccountKubeconfigFile(kc, platform, release);
  const op = startOperatorProcess(kubeconfig, release, [...flags, '--log-level=debug']);
  await op.metricsPort();
  return op;
}

const operators = {
  sources: await startRelease('only-sources', ns.sources, {}),
  addresses: await startRelease('user-addresses', ns.addresses, { 'analysis.userAddresses': [servers.refused.url, servers.open.url] }),
  secrets: await startRelease('user-secrets', ns.secrets, { 'analysis.userAddresses': [servers.refused.url, servers.labelled.url], 'analysis.userSecrets': true }),
};

type Md = ModelDeploymentObject & { status?: ModelDeploymentStatus };
const get = (namespace: string, name: string) => () => client.get<Md>(mdRef(namespace, name));
const token = (name: string) => ({ name, key: 'token' });

interface Case {
  namespace: string;
  name: string;
  prometheus?: Record<string, unknown>;
  /** A normal measurement (a verdict on the model), or the Stalled reason. */
  expect: 'measured' | 'UnknownAnalysisSource' | 'AddressNotAllowed' | 'SecretNotAllowed';
  message?: RegExp;
}

const cases: Case[] = [
  // (a) the platform source by name and by default: its own token, from the operator's namespace.
  { namespace: ns.sources, name: 'by-name', prometheus: { source: 'main' }, expect: 'measured' },
  { namespace: ns.sources, name: 'by-default', expect: 'measured' },
  // (b) a user address while user addresses are off (the default), with or without a Secret.
  { namespace: ns.sources, name: 'user-address', prometheus: { address: servers.refused.url }, expect: 'AddressNotAllowed', message: /does not allow a Prometheus address in the ModelDeployment: name a source with prometheus\.source instead \(the platform's sources are main \(default main\)\)/ },
  { namespace: ns.sources, name: 'user-address-token', prometheus: { address: servers.refused.url, bearerTokenSecret: token('labelled') }, expect: 'AddressNotAllowed' },
  // (e) an unknown source, named with the known ones.
  { namespace: ns.sources, name: 'unknown', prometheus: { source: 'nope' }, expect: 'UnknownAnalysisSource', message: /there is no analysis source named nope: the platform's sources are main \(default main\)/ },
  // User addresses allowed: an allowed one is asked, another is refused, and no Secret goes with it.
  { namespace: ns.addresses, name: 'open', prometheus: { address: servers.open.url }, expect: 'measured' },
  { namespace: ns.addresses, name: 'not-listed', prometheus: { address: servers.platform.url.replace('127.0.0.1', 'localhost') }, expect: 'AddressNotAllowed', message: /allowed: http:\/\/127\.0\.0\.1:\d+, http:\/\/127\.0\.0\.1:\d+$/ },
  // (c) a Secret while user Secrets are off, even a labelled one.
  { namespace: ns.addresses, name: 'secret-off', prometheus: { address: servers.refused.url, bearerTokenSecret: token('labelled') }, expect: 'SecretNotAllowed', message: /Secret labelled was not read/ },
  // (c) user Secrets on, but the Secret has no opt-in label (and one named as the platform's).
  { namespace: ns.secrets, name: 'unlabelled', prometheus: { address: servers.refused.url, bearerTokenSecret: token('unlabelled') }, expect: 'SecretNotAllowed', message: /Secret unlabelled is not labelled modelship\.io\/analysis-credentials=true/ },
  { namespace: ns.secrets, name: 'same-name', prometheus: { address: servers.refused.url, bearerTokenSecret: token('platform-token') }, expect: 'SecretNotAllowed' },
  // (d) user Secrets on and the label there: sent.
  { namespace: ns.secrets, name: 'labelled', prometheus: { address: servers.labelled.url, bearerTokenSecret: token('labelled') }, expect: 'measured' },
];

test('platform sources, user addresses and user Secrets: only what the platform allows is asked, with only the credentials meant for it', { timeout: 420_000 }, async () => {
  for (const c of cases) {
    const analysis = { interval: '10s', ...(c.prometheus ? { prometheus: c.prometheus } : {}) };
    const rollout = { strategy: 'canary', steps: [{ weight: 50 }, { pause: {} }], traffic: { provider: 'istio' }, analysis };
    await createModelDeployment(client, c.namespace, modelWithRollout(c.name, rollout, 1));
  }
  for (const c of cases) await readyForGeneration(client, c.namespace, c.name, 120_000);
  for (const c of cases) await client.mergePatch(mdRef(c.namespace, c.name), { spec: { model: { version: '2', uri: `s3://models/${c.name}/2` } } });

  for (const c of cases) {
    if (c.expect === 'measured') {
      const md = await eventually(`${c.name}: a measurement`, get(c.namespace, c.name), (m) => (m?.status?.analysis?.runs ?? 0) >= 1, 120_000, 500);
      assert.ok(['Pass', 'Inconclusive', 'Fail'].includes(md?.status?.analysis?.verdict ?? ''), `${c.name}: ${md?.status?.analysis?.verdict}: ${md?.status?.analysis?.message}`);
      assert.equal(conditionOf(md, 'Stalled')?.status ?? 'False', 'False', c.name);
    } else {
      const md = await eventually(`${c.name}: Stalled`, get(c.namespace, c.name), (m) => conditionOf(m, 'Stalled')?.status === 'True', 120_000, 500);
      const stalled = conditionOf(md, 'Stalled');
      assert.equal(stalled?.reason, c.expect, `${c.name}: ${stalled?.message}`);
      assert.equal(md?.status?.analysis?.verdict, 'Refused');
      assert.equal(md?.status?.analysis?.refusal, c.expect);
      if (c.message) assert.match(md?.status?.analysis?.message ?? '', c.message, c.name);
      // The Event is recorded after the status write that carries the condition: wait for it.
      const warned = (es: CoreV1Event[]) => es.some((e) => e.type === 'Warning' && e.reason === c.expect);
      const events = await eventually(`${c.name}: a Warning ${c.expect} Event`, async () => (await core.listNamespacedEvent({ namespace: c.namespace })).items.filter((e) => e.involvedObject.name === c.name), warned, 30_000, 500);
      assert.ok(warned(events), `${c.name}: a Warning ${c.expect} Event (${events.map((e) => e.reason).join(',')})`);
    }
  }

  // What each server received.
  const authorizations = (s: HostileServer) => [...new Set(s.seen.map((h) => h.authorization ?? '(none)'))];
  assert.ok(servers.platform.seen.length > 0, 'the platform source was asked');
  assert.deepEqual(authorizations(servers.platform), [`Bearer ${MARK.platform}`], "exactly the platform's token, from its own namespace");
  assert.ok(servers.open.seen.length > 0);
  assert.deepEqual(authorizations(servers.open), ['(none)']);
  assert.ok(servers.labelled.seen.length > 0);
  assert.deepEqual(authorizations(servers.labelled), [`Bearer ${MARK.labelled}`]);
  assert.equal(servers.refused.seen.length, 0, 'a refused address is never connected to');
  const headersOf = (s: HostileServer) => JSON.stringify(s.seen);
  for (const [server, allowed] of [
    [servers.platform, [MARK.platform]],
    [servers.open, []],
    [servers.labelled, [MARK.labelled]],
    [servers.refused, []],
  ] as const) {
    for (const mark of Object.values(MARK)) {
      if (!(allowed as readonly string[]).includes(mark)) assert.ok(!headersOf(server).includes(mark), `${mark} in no header of ${server.url}`);
    }
  }

  // No value in status, Events or the operators' logs.
  const statuses = JSON.stringify(await Promise.all(cases.map((c) => get(c.namespace, c.name)())));
  const events = JSON.stringify(await Promise.all(Object.values(ns).map(async (n) => (await core.listNamespacedEvent({ namespace: n })).items.map((e) => e.message))));
  for (const [where, text] of [
    ['status', statuses],
    ['Events', events],
    ...Object.entries(operators).map(([k, op]) => [`${k} log`, op.output()] as const),
  ] as const) {
    for (const mark of Object.values(MARK)) assert.ok(!text.includes(mark), `no Secret value in ${where}`);
  }
  for (const op of Object.values(operators)) {
    assert.doesNotMatch(op.output(), /\bcannot (get|list|watch|create|patch|delete) resource\b/, `${op.identity}: nothing forbidden`);
    assert.equal(op.child.exitCode, null, `${op.identity} never restarted`);
    op.kill('SIGTERM');
    await op.exited();
  }
});
