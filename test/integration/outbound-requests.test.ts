// Hostile answers to the operator's outbound requests, against a real control plane and the operator as
// a real process (its memory and its log are its own): ModelDeployments whose analysis names local test
// servers posing as Prometheus. A gzip bomb, a 1 GiB body, a redirect, a multi-line bearer token and
// loopback or link-local addresses that are not allowlisted each end as an Error measurement with a short
// fixed reason; no Secret value reaches a server, status, an Event or the log; the operator's memory stays
// in its normal range; a ModelDeployment created afterwards still goes Ready.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { sharedCluster } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { answerJson, hostileServer, redirectTo, sendGibibyte, sendGzipBomb } from '../support/hostile-server.ts';
import { createModelDeployment, mdRef, modelWithRollout, readyForGeneration, testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { startOperatorProcess } from '../support/operator-process.ts';
import { chartServiceAccountKubeconfigFile } from '../support/chart-service-account.ts';
import { eventually } from '../support/wait.ts';
import { ANALYSIS_CREDENTIALS_LABEL } from '../../src/api/constants.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { ModelDeploymentStatus } from '../../src/api/index.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const core = kc.makeApiClient(CoreV1Api);
const namespace = await testNamespace(kc, 'outbound');

const SECRET_MARK = 'ZZ-SECRET-VALUE-ZZ';
await core.createNamespacedSecret({
  namespace,
  // Labelled: the platform of this test allows Secrets of the namespace to go to the addresses it allows.
  body: { metadata: { name: 'prom-token', labels: { [ANALYSIS_CREDENTIALS_LABEL]: 'true' } }, stringData: { token: `line-one-${SECRET_MARK}\nline-two-${SECRET_MARK}\n` } },
});

const emptyVector = { status: 'success', data: { resultType: 'vector', result: [] } };
const second = await hostileServer(answerJson(emptyVector));
const servers = {
  bomb: await hostileServer(sendGzipBomb),
  huge: await hostileServer(sendGibibyte),
  redirect: await hostileServer(redirectTo(`${second.url}/api/v1/query`)),
  token: await hostileServer(answerJson(emptyVector)),
  // Only 127.0.0.1/32 is allowlisted: the rest of 127.0.0.0/8 stays refused.
  loopback: await hostileServer(answerJson(emptyVector), '127.0.0.2'),
};

// The flag through its environment variable, so the same test runs (and fails) on an operator without it.
process.env.MODELSHIP_OUTBOUND_ALLOW_CIDRS = '127.0.0.1/32';
// The ModelDeployments name these servers themselves: the platform allows exactly them (and the metadata
// address, which the outbound client must still refuse), with the namespace's labelled Secrets.
const userAddresses = [...Object.values(servers).map((s) => s.url), 'http://169.254.169.254'];
// As the ServiceAccount of a release that opts in to user Secrets, which this test's token needs.
const operatorKubeconfig = await chartServiceAccountKubeconfigFile(cluster, ['--set', 'analysis.userSecrets=true'], 'outbound');
const operator = startOperatorProcess(operatorKubeconfig, 'outbound', [
  '--leader-elect=false',
  `--watch-namespaces=${namespace}`,
  '--log-level=debug',
  `--prometheus-user-addresses=${userAddresses.join(',')}`,
  '--prometheus-user-secrets',
]);
delete process.env.MODELSHIP_OUTBOUND_ALLOW_CIDRS;

type Md = ModelDeploymentObject & { status?: ModelDeploymentStatus };
const get = (name: string) => client.get<Md>(mdRef(namespace, name));

const cases: readonly { name: string; prometheus: Record<string, unknown>; reason: RegExp }[] = [
  { name: 'bomb', prometheus: { address: servers.bomb.url }, reason: /compressed body refused/ },
  { name: 'huge', prometheus: { address: servers.huge.url }, reason: /body over 1 MiB/ },
  { name: 'redirect', prometheus: { address: servers.redirect.url }, reason: /redirect refused \(HTTP 302\)/ },
  { name: 'token', prometheus: { address: servers.token.url, bearerTokenSecret: { name: 'prom-token', key: 'token' } }, reason: /bearer token has a line break or NUL inside, so it was not sent/ },
  { name: 'loopback', prometheus: { address: servers.loopback.url }, reason: /address 127\.0\.0\.2 refused/ },
  // Nothing is connected to: the address is refused before any packet leaves.
  { name: 'metadata', prometheus: { address: 'http://169.254.169.254/' }, reason: /address 169\.254\.169\.254 refused/ },
];

/** Peak resident memory of the operator process so far (VmHWM), in bytes. */
function peakRss(): number {
  const line = readFileSync(`/proc/${operator.child.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? NaN) * 1024;
}

test('hostile Prometheus answers and addresses end as short Error reasons, with nothing leaked and memory kept', { timeout: 300_000 }, async () => {
  await operator.metricsPort();
  for (const c of cases) {
    const rollout = { strategy: 'canary', steps: [{ weight: 50 }, { pause: {} }], traffic: { provider: 'istio' }, analysis: { interval: '10s', prometheus: c.prometheus } };
    await createModelDeployment(client, namespace, modelWithRollout(c.name, rollout, 1));
  }
  for (const c of cases) await readyForGeneration(client, namespace, c.name, 120_000);
  const before = peakRss();

  for (const c of cases) await client.mergePatch(mdRef(namespace, c.name), { spec: { model: { version: '2', uri: `s3://models/${c.name}/2` } } });
  for (const c of cases) {
    const md = await eventually(`${c.name}: an Error measurement`, () => get(c.name), (m) => m?.status?.analysis?.verdict === 'Error' && c.reason.test(m.status.analysis.message ?? ''), 120_000, 500);
    // Each query's failure is the fixed reason alone, with nothing of what the server sent after it.
    const reasons = (md?.status?.analysis?.message ?? '').split(/ is unavailable: /).slice(1).map((r) => r.split(/; /)[0] ?? '');
    assert.ok(reasons.length > 0 && reasons.every((r) => c.reason.test(r) && r.length < 120), reasons.join('\n'));
  }
  const growth = peakRss() - before;
  assert.ok(growth < 100 * 1024 * 1024, `peak RSS grew by ${Math.round(growth / 1024 / 1024)} MiB`);

  assert.equal(second.seen.length, 0, 'the redirect was not followed');
  assert.equal(servers.token.seen.length, 0, 'no request with the bad token');
  assert.equal(servers.loopback.seen.length, 0, 'nothing reached 127.0.0.2');
  assert.ok(servers.bomb.seen.every((h) => h['accept-encoding'] === 'identity'), 'identity encoding asked for');

  const statuses = JSON.stringify(await Promise.all(cases.map((c) => get(c.name))));
  const events = JSON.stringify((await core.listNamespacedEvent({ namespace })).items.map((e) => e.message));
  assert.ok(events.includes('bearer token has a line break'), 'the Event says what was wrong');
  for (const [where, text] of [['status', statuses], ['Events', events], ['log', operator.output()]] as const) {
    assert.ok(!text.includes(SECRET_MARK), `no Secret value in ${where}`);
  }

  // Other ModelDeployments keep reconciling.
  await createModelDeployment(client, namespace, modelWithRollout('bystander', { strategy: 'canary', steps: [{ weight: 50 }] }, 1));
  await readyForGeneration(client, namespace, 'bystander', 60_000);
  assert.equal(operator.child.exitCode, null, 'the operator never restarted');
  operator.kill('SIGTERM');
  await operator.exited();
});
