// spec.monitoring.logging renders the inference agent in front of the model server: the agent takes the
// `http` port name and number, the server moves to 8079, probes, Service, annotations and credentials
// follow; without logging nothing changes, byte for byte.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { parseModelDeployment } from '../../../src/api/index.ts';
import type { ModelDeployment } from '../../../src/api/index.ts';
import { agentContainer } from '../../../src/render/agent-container.ts';
import { defaultRenderConfig, renderModelDeployment } from '../../../src/render/index.ts';
import type { ChildObject, ConfigMapObject, DeploymentObject, ServiceObject } from '../../../src/render/index.ts';
import { PRESETS } from '../../../src/render/presets/index.ts';
import { toYamlStream } from '../../../src/yaml.ts';
import { loadExamples } from '../../fixtures/examples.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';
import type { Json } from '../../fixtures/manifests.ts';
import { byKind, parsed, rendered } from './render-helpers.ts';

const LOGGING = { uri: 's3://inference-logs/team-a' };

function withLogging(logging: Json = LOGGING, changes: Record<string, Json | undefined> = {}): Json {
  return withChanges(validManifest('fraud'), {
    'metadata.namespace': 'risk',
    'spec.model.credentials': { secretRef: { name: 's3-creds' } },
    'spec.monitoring': { logging },
    ...changes,
  });
}

function podSpec(objects: ChildObject[]): V1PodSpec {
  const spec = byKind(objects, 'Deployment')?.spec?.template.spec;
  assert.ok(spec, 'a Deployment with a pod spec');
  return spec;
}

function container(objects: ChildObject[], name: string): V1Container {
  const c = podSpec(objects).containers.find((x) => x.name === name);
  assert.ok(c, `a container ${name}`);
  return c;
}

function annotations(objects: ChildObject[]): Record<string, string> {
  return byKind(objects, 'Deployment')?.spec?.template.metadata?.annotations ?? {};
}

void test('without monitoring.logging the render is byte-identical to the golden file (drift and retraining change nothing)', () => {
  const example = loadExamples().find((e) => e.name === 'mlserver-sklearn');
  assert.ok(example);
  const golden = readFileSync(new URL('./golden/mlserver-sklearn.yaml', import.meta.url), 'utf8');
  assert.equal(toYamlStream(rendered(example.manifest)), golden);
  const siblings: Json[] = [{}, { retraining: { on: { schedule: '@weekly' }, job: { image: 'retrain:1' } } }];
  for (const monitoring of siblings) {
    const manifest = withChanges(example.manifest as Record<string, Json>, { 'spec.monitoring': monitoring });
    assert.equal(toYamlStream(rendered(manifest)), golden, `spec.monitoring ${JSON.stringify(monitoring)}`);
  }
});

void test('the agent runs beside the model server with the contract arguments', () => {
  const objects = rendered(withLogging());
  assert.deepEqual(podSpec(objects).containers.map((c) => c.name), ['model-server', 'agent']);
  const agent = container(objects, 'agent');
  assert.equal(agent.image, defaultRenderConfig.fetcherImage);
  assert.equal(agent.command, undefined, "the image's entrypoint dispatches the subcommand");
  assert.deepEqual(agent.args, [
    'agent',
    '--port=8080',
    '--upstream=http://127.0.0.1:8079',
    '--metrics-port=9464',
    '--upstream-metrics=http://127.0.0.1:8082/metrics',
    '--namespace=$(MODELSHIP_POD_NAMESPACE)',
    '--model=fraud',
    '--version=7',
    '--variant=stable',
    '--pod=$(MODELSHIP_POD_NAME)',
    '--log-uri=s3://inference-logs/team-a',
    '--sample-rate=1',
    '--flush-interval=10s',
    '--label-lookback=168h',
  ]);
  assert.deepEqual(agent.env, [
    { name: 'MODELSHIP_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'MODELSHIP_POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'NODE_OPTIONS', value: '--max-old-space-size=80' },
  ]);
});

void test('the agent takes the serving port; the server moves to 8079 and its probes follow it by name', () => {
  const objects = rendered(withLogging());
  const agent = container(objects, 'agent');
  const server = container(objects, 'model-server');
  assert.deepEqual(agent.ports, [
    { name: 'http', containerPort: 8080, protocol: 'TCP' },
    { name: 'agent-metrics', containerPort: 9464, protocol: 'TCP' },
  ]);
  assert.deepEqual(server.ports, [
    { name: 'server-http', containerPort: 8079, protocol: 'TCP' },
    { name: 'grpc', containerPort: 8081, protocol: 'TCP' },
    { name: 'metrics', containerPort: 8082, protocol: 'TCP' },
  ]);
  assert.ok(server.env?.some((e) => e.name === 'MLSERVER_HTTP_PORT' && e.value === '8079'), 'MLServer is told its new port');
  // Probes resolve a port name in their own container.
  for (const probe of [server.readinessProbe, server.livenessProbe, server.startupProbe]) {
    assert.equal(probe?.httpGet?.port, 'server-http');
  }
  assert.deepEqual(agent.readinessProbe?.httpGet, { path: '/v2/health/ready', port: 'http', scheme: 'HTTP' });
  assert.deepEqual(agent.livenessProbe?.tcpSocket, { port: 'http' });
  assert.equal(agent.startupProbe, undefined);
  // Port names are unique in the pod, and `http` names the agent's.
  const names = podSpec(objects).containers.flatMap((c) => (c.ports ?? []).map((p) => p.name));
  assert.equal(new Set(names).size, names.length, names.join(', '));
});

void test('the Service targets the agent by port name and is unchanged by logging', () => {
  const service = (objects: ChildObject[]) => byKind(objects, 'Service') as ServiceObject;
  const withAgent = service(rendered(withLogging()));
  const without = service(rendered(withChanges(withLogging() as Record<string, Json>, { 'spec.monitoring': undefined })));
  assert.deepEqual(withAgent, without);
  assert.equal(withAgent.spec?.ports?.[0]?.targetPort, 'http');
  assert.equal(withAgent.spec?.ports?.[1]?.targetPort, 'grpc', 'gRPC goes to the server directly');
});

void test('the scrape annotations point at the agent, which appends the server metrics', () => {
  assert.deepEqual(annotations(rendered(withLogging())), {
    'kubectl.kubernetes.io/default-container': 'model-server',
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': '9464',
    'prometheus.io/path': '/metrics',
  });
  // MLflow's server has no metrics: the agent's own are still scraped.
  const mlflow = rendered(withLogging(LOGGING, { 'spec.runtime.preset': 'mlflow', 'spec.model.format': 'mlflow' }));
  assert.equal(annotations(mlflow)['prometheus.io/port'], '9464');
  const args = container(mlflow, 'agent').args ?? [];
  assert.ok(!args.some((a) => a.startsWith('--upstream-metrics')), args.join(' '));
  assert.ok(container(mlflow, 'model-server').args?.join(' ').includes('--port 8079'));
});

void test('TensorFlow Serving: REST moves to 8079, where its metrics path is scraped through the agent', () => {
  const objects = rendered(withLogging(LOGGING, { 'spec.runtime.preset': 'tensorflow-serving', 'spec.model.format': 'tensorflow' }));
  assert.ok(container(objects, 'model-server').args?.includes('--rest_api_port=8079'));
  assert.ok(container(objects, 'agent').args?.includes('--upstream-metrics=http://127.0.0.1:8079/monitoring/prometheus/metrics'));
  assert.ok(container(objects, 'agent').args?.includes('--port=8501'));
});

void test('Triton is told its HTTP port; gRPC and metrics stay', () => {
  const objects = rendered(withLogging(LOGGING, { 'spec.runtime.preset': 'triton', 'spec.model.format': 'onnx' }));
  const args = container(objects, 'model-server').args ?? [];
  assert.ok(args.includes('--http-port=8079') && args.includes('--grpc-port=8001') && args.includes('--metrics-port=8002'), args.join(' '));
  assert.ok(container(objects, 'agent').args?.includes('--port=8000'));
  assert.ok(container(objects, 'agent').args?.includes('--upstream-metrics=http://127.0.0.1:8002/metrics'));
});

void test("TorchServe's config file binds inference to 8079", () => {
  const objects = rendered(withLogging(LOGGING, { 'spec.runtime.preset': 'torchserve', 'spec.model.format': 'pytorch' }));
  const config = byKind(objects, 'ConfigMap') as ConfigMapObject;
  assert.ok(config.data?.['config.properties']?.includes('inference_address=http://0.0.0.0:8079'));
  assert.ok(container(objects, 'agent').args?.includes('--port=8080'));
});

void test('a user http port stays the serving port, now the agent', () => {
  const objects = rendered(withLogging(LOGGING, { 'spec.runtime.ports': { http: 9000, grpc: 9001, metrics: 9002 } }));
  assert.deepEqual(container(objects, 'agent').ports?.[0], { name: 'http', containerPort: 9000, protocol: 'TCP' });
  assert.ok(container(objects, 'agent').args?.includes('--upstream-metrics=http://127.0.0.1:9002/metrics'));
  assert.equal(container(objects, 'model-server').ports?.[0]?.containerPort, 8079);
});

void test('logging settings become arguments, $ kept literal against the kubelet expanding $(VAR)', () => {
  const objects = rendered(
    withLogging({ uri: 's3://logs/a$(HOME)', sampleRate: 0.25, redact: ['ssn', 'card$number'], flushInterval: '30s', labelLookback: '336h' }),
  );
  const args = container(objects, 'agent').args ?? [];
  assert.deepEqual(args.slice(-5), [
    '--log-uri=s3://logs/a$$(HOME)',
    '--sample-rate=0.25',
    '--redact=ssn,card$$number',
    '--flush-interval=30s',
    '--label-lookback=336h',
  ]);
});

void test("the agent writes with the tenant's Secret: logging's own, else the model's, never an image pull secret", () => {
  const secretOf = (objects: ChildObject[]) => container(objects, 'agent').envFrom;
  assert.deepEqual(secretOf(rendered(withLogging())), [{ secretRef: { name: 's3-creds' } }]);
  assert.deepEqual(secretOf(rendered(withLogging({ ...LOGGING, credentials: { secretRef: { name: 'log-writer' } } }))), [
    { secretRef: { name: 'log-writer' } },
  ]);
  assert.equal(secretOf(rendered(withLogging(LOGGING, { 'spec.model.credentials': undefined }))), undefined);
  const oci = rendered(withLogging(LOGGING, { 'spec.model.uri': 'oci://registry.example.com/models/fraud:7' }));
  assert.equal(secretOf(oci), undefined);
  // The fetcher's wiring is untouched: same Secret, as envFrom.
  assert.deepEqual(podSpec(rendered(withLogging())).initContainers?.[0]?.envFrom, [{ secretRef: { name: 's3-creds' } }]);
});

void test('the agent is small and restricted by default; resources can be set', () => {
  const agent = container(rendered(withLogging()), 'agent');
  assert.deepEqual(agent.resources, { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } });
  assert.deepEqual(agent.securityContext, {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
    readOnlyRootFilesystem: true,
  });
  assert.deepEqual(agent.lifecycle, { preStop: { sleep: { seconds: 5 } } });
  const custom = container(rendered(withLogging({ ...LOGGING, resources: { requests: { cpu: '200m' }, limits: { cpu: 1, memory: '256Mi' } } })), 'agent');
  assert.deepEqual(custom.resources, { limits: { cpu: '1', memory: '256Mi' }, requests: { cpu: '200m' } });
});

void test('a canary variant carries its variant and revision', () => {
  const md = parsed(withLogging());
  const plan = PRESETS.mlserver.plan({ model: md.spec.model, ports: { http: 8079, grpc: 8081, metrics: 8082 } });
  const agent = agentContainer({
    logging: md.spec.monitoring!.logging!,
    model: { ...md.spec.model, version: '8' },
    modelDeploymentName: 'fraud',
    variant: 'canary',
    revision: 4,
    ports: { http: 8080, grpc: 8081, metrics: 8082 },
    plan,
    image: 'registry.example/modelship:1',
  });
  const args = agent.args ?? [];
  assert.ok(args.includes('--version=8') && args.includes('--variant=canary') && args.includes('--revision=4'), args.join(' '));
  assert.equal(agent.image, 'registry.example/modelship:1');
});

void test('objects stored before the CRD refused them still fail to render: custom images and taken ports', () => {
  const base = parsed(withLogging());
  const bypass = (spec: Partial<ModelDeployment['spec']>): ModelDeployment => ({ ...base, spec: { ...base.spec, ...spec } });
  const custom = renderModelDeployment(
    bypass({ runtime: { ...base.spec.runtime, preset: 'custom', image: 'ghcr.io/example/scorer:1' }, model: { ...base.spec.model, format: 'custom' } }),
  );
  assert.equal(custom.ok, false);
  if (!custom.ok) assert.equal(custom.error.field, 'spec.monitoring.logging');
  const taken = renderModelDeployment(bypass({ runtime: { ...base.spec.runtime, ports: { metrics: 9464 } } }));
  assert.equal(taken.ok, false);
  if (!taken.ok) assert.equal(taken.error.code, 'PortConflict');
});

void test('the API refuses logging in batch mode and with a custom image, in words a person can act on', () => {
  const batch = parseModelDeployment(
    withLogging(LOGGING, {
      'spec.mode': 'batch',
      'spec.batch': { input: { uri: 's3://scoring/in/', format: 'csv' }, output: { uri: 's3://scoring/out/' } },
    }),
  );
  assert.equal(batch.ok, false);
  if (!batch.ok) assert.match(batch.errors.map((e) => e.message).join('\n'), /monitoring\.logging records the requests a realtime model server answers/);
  const deployment = (objects: ChildObject[]) => byKind(objects, 'Deployment') as DeploymentObject;
  assert.ok(deployment(rendered(withLogging())).spec?.template.spec?.containers.some((c) => c.name === 'agent'));
});
