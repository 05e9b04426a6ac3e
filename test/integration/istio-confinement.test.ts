// Istio confinement on the real API server, with Istio's VirtualService CRD: a ModelDeployment cannot
// route a host outside its namespace, nor bind another namespace's Gateway, unless the platform allows
// it (the operator's --istio-allowed-hosts and --istio-allowed-gateways); it is Stalled instead and no
// VirtualService is written. What is written is seen by its own namespace only (exportTo ".").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { chartServiceAccount } from '../support/chart-service-account.ts';
import { conditionOf, createModelDeployment, mdRef, modelWithRollout, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import { defaultRenderConfig } from '../../src/render/index.ts';
import { DEFAULT_ISTIO_POLICY } from '../../src/traffic/istio/istio-policy.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import type { KubeObject } from '../../src/kube/api-client.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const confined = await testNamespace(kc, 'istio-confined');
const allowed = await testNamespace(kc, 'istio-allowed');
// One operator with the defaults, one whose platform allows a domain and a shared gateway.
// Both operators run as the chart's ServiceAccount.
const operatorKc = await chartServiceAccount(cluster);
await startInProcessOperator(operatorKc, [confined]);
await startInProcessOperator(operatorKc, [allowed], {
  renderConfig: {
    ...defaultRenderConfig,
    traffic: { istio: { ...DEFAULT_ISTIO_POLICY, allowedHosts: ['*.models.example.com'], allowedGateways: ['istio-ingress/public'] } },
  },
});

type VirtualService = KubeObject & { spec?: { hosts?: string[]; gateways?: string[]; exportTo?: string[] } };
const virtualService = (namespace: string, name: string) => client.get<VirtualService>({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace, name });
const get = (namespace: string, name: string) => () => client.get<ModelDeploymentObject>(mdRef(namespace, name));
const routed = (name: string, traffic: Record<string, unknown>) => modelWithRollout(name, { strategy: 'immediate', traffic: { provider: 'istio', ...traffic } }, 1);

test("without hosts: the VirtualService routes the namespace's Service, exported to its namespace only", { timeout: 120_000 }, async () => {
  await createModelDeployment(client, confined, routed('own', {}));
  await eventually('Ready', get(confined, 'own'), (md) => conditionOf(md, 'Ready')?.status === 'True', 90_000);
  const vs = await virtualService(confined, 'own');
  assert.deepEqual(vs?.spec?.hosts, ['own']);
  assert.deepEqual(vs?.spec?.exportTo, ['.']);
});

test('a foreign host is Stalled HostNotAllowed, and no VirtualService is written', { timeout: 120_000 }, async () => {
  await createModelDeployment(client, confined, routed('hijack', { hosts: ['payments.shop.svc.cluster.local'] }));
  const md = await eventually('Stalled', get(confined, 'hijack'), (m) => conditionOf(m, 'Stalled')?.status === 'True', 60_000);
  assert.equal(conditionOf(md, 'Stalled')?.reason, 'HostNotAllowed');
  assert.match(conditionOf(md, 'Stalled')?.message ?? '', /spec\.rollout\.traffic\.hosts\[0\]: payments\.shop\.svc\.cluster\.local is not a Service of this namespace/);
  assert.equal(await virtualService(confined, 'hijack'), undefined);
});

test("another namespace's gateway is Stalled GatewayNotAllowed", { timeout: 120_000 }, async () => {
  await createModelDeployment(client, confined, routed('public', { gateway: { name: 'public', namespace: 'istio-ingress' } }));
  const md = await eventually('Stalled', get(confined, 'public'), (m) => conditionOf(m, 'Stalled')?.status === 'True', 60_000);
  assert.equal(conditionOf(md, 'Stalled')?.reason, 'GatewayNotAllowed');
  assert.equal(await virtualService(confined, 'public'), undefined);
});

test('a wildcard host is refused by the API server itself', async () => {
  await assert.rejects(createModelDeployment(client, confined, routed('wildcard', { hosts: ['*.shop.example.com'] })), /hosts must be full host names with provider istio/);
});

test('hosts and gateways the platform allows are routed', { timeout: 120_000 }, async () => {
  await createModelDeployment(client, allowed, routed('fraud', { hosts: ['fraud.models.example.com'], gateway: { name: 'public', namespace: 'istio-ingress' } }));
  await eventually('Ready', get(allowed, 'fraud'), (md) => conditionOf(md, 'Ready')?.status === 'True', 90_000);
  const vs = await virtualService(allowed, 'fraud');
  assert.deepEqual(vs?.spec?.hosts, ['fraud.models.example.com']);
  assert.deepEqual(vs?.spec?.gateways, ['istio-ingress/public', 'mesh']);
  assert.deepEqual(vs?.spec?.exportTo, ['.']);
  await createModelDeployment(client, allowed, routed('other', { hosts: ['fraud.example.com'] }));
  const md = await eventually('Stalled', get(allowed, 'other'), (m) => conditionOf(m, 'Stalled')?.status === 'True', 60_000);
  assert.equal(conditionOf(md, 'Stalled')?.reason, 'HostNotAllowed');
});
