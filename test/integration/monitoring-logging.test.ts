// spec.monitoring.logging against the real API server with the operator in-process: the CRD stores the
// documented defaults, the operator's Deployment carries the agent in front of the model server (the API
// server accepts the pod template: port names, probes by name, downward API), the Service targets the
// agent by name, and a logging spec the CRD refuses never reaches the operator, with the rule's message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { createModelDeployment, testClient } from '../support/model-deployments.ts';
import { eventually } from '../support/wait.ts';
import { validManifest, withChanges } from '../fixtures/manifests.ts';
import { ApiError } from '../../src/kube/api-error.ts';
import type { KubeObject } from '../../src/kube/api-client.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const namespace = await testNamespace(kc, 'logging');
await startInProcessOperator(kc, [namespace]);

type Deployment = V1Deployment & KubeObject;
type Service = V1Service & KubeObject;

test('a ModelDeployment with logging gets the agent in front of its model server', async () => {
  const name = 'logged';
  const created = await createModelDeployment(
    client,
    namespace,
    withChanges(validManifest(name), {
      'spec.replicas': 1,
      'spec.model.credentials': { secretRef: { name: 's3-creds' } },
      'spec.monitoring': { logging: { uri: 's3://inference-logs/team-a', redact: ['ssn'] } },
    }),
  );
  // The API server fills in the documented defaults.
  const logging = (created.spec as { monitoring?: { logging?: Record<string, unknown> } }).monitoring?.logging;
  assert.deepEqual(logging, { uri: 's3://inference-logs/team-a', redact: ['ssn'], sampleRate: 1, flushInterval: '10s', labelLookback: '168h' });

  const deployment = await eventually(
    'the operator to create the Deployment',
    () => client.get<Deployment>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: `${name}-stable` }),
    (d) => d !== undefined,
  );
  const template = deployment?.spec?.template;
  const containers = template?.spec?.containers ?? [];
  assert.deepEqual(containers.map((c) => c.name), ['model-server', 'agent']);
  const [server, agent] = containers;
  assert.deepEqual(
    agent?.ports?.map((p) => [p.name, p.containerPort]),
    [
      ['http', 8080],
      ['agent-metrics', 9464],
    ],
  );
  assert.deepEqual(server?.ports?.map((p) => [p.name, p.containerPort]), [
    ['server-http', 8079],
    ['grpc', 8081],
    ['metrics', 8082],
  ]);
  assert.equal(template?.metadata?.labels?.['modelship.io/revision'], '1');
  assert.equal(server?.readinessProbe?.httpGet?.port, 'server-http');
  assert.equal(agent?.readinessProbe?.httpGet?.port, 'http');
  assert.deepEqual(agent?.args, [
    'agent',
    '--port=8080',
    '--upstream=http://127.0.0.1:8079',
    '--metrics-port=9464',
    '--upstream-metrics=http://127.0.0.1:8082/metrics',
    '--namespace=$(MODELSHIP_POD_NAMESPACE)',
    `--model=${name}`,
    '--version=7',
    '--variant=stable',
    // The operator renders through a rollout plan: the first revision, as the pod's label says.
    `--revision=${template?.metadata?.labels?.['modelship.io/revision']}`,
    '--pod=$(MODELSHIP_POD_NAME)',
    '--log-uri=s3://inference-logs/team-a',
    '--sample-rate=1',
    '--redact=ssn',
    '--flush-interval=10s',
    '--label-lookback=168h',
  ]);
  assert.deepEqual(agent?.envFrom, [{ secretRef: { name: 's3-creds' } }]);
  assert.equal(agent?.securityContext?.readOnlyRootFilesystem, true);
  assert.equal(template?.metadata?.annotations?.['prometheus.io/port'], '9464');
  assert.equal(template?.metadata?.annotations?.['prometheus.io/path'], '/metrics');

  const service = await eventually(
    'the operator to create the Service',
    () => client.get<Service>({ apiVersion: 'v1', kind: 'Service', namespace, name }),
    (s) => s !== undefined,
  );
  assert.equal(service?.spec?.ports?.find((p) => p.name === 'http')?.targetPort, 'http');
});

test('logging in batch mode is refused by the API server with the rule message', async () => {
  const manifest = withChanges(validManifest('logged-batch'), {
    'spec.mode': 'batch',
    'spec.replicas': undefined,
    'spec.batch': { input: { uri: 's3://scoring/in/', format: 'csv' }, output: { uri: 's3://scoring/out/' } },
    'spec.monitoring': { logging: { uri: 's3://inference-logs/team-a' } },
  });
  let refused: ApiError | undefined;
  try {
    const created: ModelDeploymentObject = await createModelDeployment(client, namespace, manifest);
    assert.fail(`accepted (uid ${created.metadata?.uid})`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    refused = err;
  }
  assert.equal(refused.status, 422);
  assert.match(refused.serverMessage, /spec\.monitoring\.logging: Forbidden: monitoring\.logging records the requests a realtime model server answers/);
});

test('a sample rate above 1 is refused, naming the field', async () => {
  const manifest = withChanges(validManifest('logged-rate'), { 'spec.monitoring': { logging: { uri: 's3://inference-logs/team-a', sampleRate: 1.5 } } });
  await assert.rejects(createModelDeployment(client, namespace, manifest), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 422);
    assert.match(err.serverMessage, /spec\.monitoring\.logging\.sampleRate/);
    return true;
  });
});
