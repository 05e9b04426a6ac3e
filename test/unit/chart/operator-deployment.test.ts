// The operator Deployment the chart renders: flags from values, the downward API, probes, the Pod
// Security Standard "restricted", image selection, and the objects that come with replicas.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { load } from 'js-yaml';
import { parseConfig } from '../../../src/config.ts';
import { chartDir, findObject, operatorArgs, renderChart, toolsDir, type RenderedObject } from '../../support/helm-chart.ts';

const tools = await toolsDir();

interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: Record<string, unknown>;
  priorityClassName?: string;
  imagePullSecrets?: unknown[];
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  affinity?: unknown;
  containers: {
    name: string;
    image: string;
    imagePullPolicy: string;
    args: string[];
    env: { name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
    ports: { name: string; containerPort: number }[];
    livenessProbe: { httpGet: { path: string; port: string } };
    readinessProbe: { httpGet: { path: string; port: string } };
    securityContext: Record<string, unknown>;
    resources?: unknown;
  }[];
}

async function deployment(...args: string[]): Promise<{ object: RenderedObject; pod: PodSpec; labels: Record<string, string>; annotations?: Record<string, string> }> {
  const objects = await renderChart(tools, ['--namespace', 'modelship-system', ...args.flatMap((a) => ['--set', a])]);
  const object = findObject(objects, 'Deployment');
  assert.ok(object);
  const template = (object.spec as { template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec } }).template;
  return { object, pod: template.spec, labels: template.metadata.labels, ...(template.metadata.annotations ? { annotations: template.metadata.annotations } : {}) };
}

void test('Chart.yaml: apiVersion v2, version 0.2.0, appVersion is the operator version in package.json', () => {
  const chart = load(readFileSync(`${chartDir}/Chart.yaml`, 'utf8')) as Record<string, unknown>;
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(chart.apiVersion, 'v2');
  assert.equal(chart.name, 'modelship');
  assert.equal(chart.version, '0.2.0');
  assert.equal(chart.appVersion, pkg.version);
});

void test('default flags: leader election in the release namespace, probes and metrics on 8081 and 8080; the operator accepts them', async () => {
  const { object, pod } = await deployment();
  const args = operatorArgs(object);
  assert.deepEqual(args, [
    '--log-level=info',
    '--leader-elect=true',
    '--leader-election-namespace=modelship-system',
    '--leader-election-id=modelship-leader',
    '--operator-namespace=modelship-system',
    '--concurrency=4',
    '--evidence-concurrency=16',
    '--metrics-bind-address=:8080',
    '--health-probe-bind-address=:8081',
  ]);
  // What the pod's env gives the operator.
  const parsed = parseConfig(args, { POD_NAME: 'modelship-abc', POD_NAMESPACE: 'modelship-system' });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.equal(parsed.config.identity, 'modelship-abc');
  assert.deepEqual(parsed.config.watchNamespaces, []);
  assert.equal(parsed.config.operatorNamespace, 'modelship-system');
  assert.deepEqual(parsed.config.prometheusUserAddresses, [], 'user Prometheus addresses off by default');
  assert.equal(parsed.config.prometheusUserSecrets, false, 'user Secrets off by default');
  assert.equal(parsed.config.prometheusSources, undefined);
  const c = pod.containers[0]!;
  assert.deepEqual(
    c.env.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]),
    [
      ['POD_NAME', 'metadata.name'],
      ['POD_NAMESPACE', 'metadata.namespace'],
    ],
  );
  assert.deepEqual(c.ports.map((p) => [p.name, p.containerPort]), [['metrics', 8080], ['health', 8081]]);
  assert.deepEqual(c.livenessProbe.httpGet, { path: '/healthz', port: 'health' });
  assert.deepEqual(c.readinessProbe.httpGet, { path: '/readyz', port: 'health' });
  assert.equal(pod.serviceAccountName, 'modelship');
  assert.equal(pod.automountServiceAccountToken, true);
});

void test('values become flags: watchNamespaces, logLevel, analysis.prometheusAddress, outbound.allowCidrs, fetcherImage, extraArgs, istio.*', async () => {
  const { object } = await deployment(
    'watchNamespaces={team-a,team-b}',
    'logLevel=debug',
    'analysis.prometheusAddress=http://prometheus.monitoring:9090',
    'outbound.allowCidrs={127.0.0.1/32,fe80::/10}',
    'fetcherImage=registry.example/fetcher:1',
    'concurrency=8',
    'evidenceConcurrency=3',
    'extraArgs={--resync-period=30m}',
    'istio.allowedHosts={*.models.example.com,fraud.example.com}',
    'istio.allowedGateways={istio-ingress/public}',
    'istio.exportTo={.,istio-ingress}',
  );
  const args = operatorArgs(object);
  for (const flag of [
    '--watch-namespaces=team-a,team-b',
    '--log-level=debug',
    '--prometheus-address=http://prometheus.monitoring:9090',
    '--outbound-allow-cidrs=127.0.0.1/32,fe80::/10',
    '--fetcher-image=registry.example/fetcher:1',
    '--concurrency=8',
    '--evidence-concurrency=3',
    '--resync-period=30m',
    '--istio-allowed-hosts=*.models.example.com,fraud.example.com',
    '--istio-allowed-gateways=istio-ingress/public',
    '--istio-export-to=.,istio-ingress',
  ]) {
    assert.ok(args.includes(flag), `${flag} in ${args.join(' ')}`);
  }
  const parsed = parseConfig(args, { POD_NAME: 'p' });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.deepEqual(parsed.config.watchNamespaces, ['team-a', 'team-b']);
  assert.equal(parsed.config.prometheusAddress, 'http://prometheus.monitoring:9090');
  assert.equal(parsed.config.resyncPeriodMs, 30 * 60_000);
  assert.deepEqual(parsed.config.istioAllowedHosts, ['*.models.example.com', 'fraud.example.com']);
  assert.deepEqual(parsed.config.istioAllowedGateways, ['istio-ingress/public']);
  assert.deepEqual(parsed.config.istioExportTo, ['.', 'istio-ingress']);
  assert.deepEqual(parsed.config.outboundAllowCidrs.map((c) => `${c.address}/${c.prefix}`), ['127.0.0.1/32', 'fe80::/10']);
});

void test('leader election: a value decides for one replica; more than one replica always elects', async () => {
  const flag = async (...set: string[]) => operatorArgs((await deployment(...set)).object).find((a) => a.startsWith('--leader-elect='));
  assert.equal(await flag(), '--leader-elect=true');
  assert.equal(await flag('leaderElection.enabled=false'), '--leader-elect=false');
  assert.equal(await flag('leaderElection.enabled=false', 'replicas=2'), '--leader-elect=true');
});

void test('Pod Security Standard "restricted": non-root 65532, no privilege escalation, no capabilities, read-only root, RuntimeDefault seccomp', async () => {
  const { pod } = await deployment();
  assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
  assert.deepEqual(pod.containers[0]!.securityContext, {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  });
});

void test('image: tag defaults to appVersion, a digest wins, pull policy and pull secrets', async () => {
  assert.equal((await deployment()).pod.containers[0]!.image, 'ghcr.io/modelship/modelship:0.1.0');
  assert.equal((await deployment('image.repository=registry.example/ms', 'image.tag=dev')).pod.containers[0]!.image, 'registry.example/ms:dev');
  const digest = `sha256:${'0'.repeat(64)}`;
  const pinned = await deployment(`image.digest=${digest}`, 'image.tag=ignored', 'image.pullPolicy=Always', 'imagePullSecrets[0].name=regcred');
  assert.equal(pinned.pod.containers[0]!.image, `ghcr.io/modelship/modelship@${digest}`);
  assert.equal(pinned.pod.containers[0]!.imagePullPolicy, 'Always');
  assert.deepEqual(pinned.pod.imagePullSecrets, [{ name: 'regcred' }]);
});

void test('scheduling and pod metadata values reach the pod', async () => {
  const { pod, labels, annotations } = await deployment(
    'nodeSelector.pool=ops',
    'tolerations[0].key=dedicated',
    'tolerations[0].operator=Exists',
    'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key=pool',
    'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator=Exists',
    'priorityClassName=system-cluster-critical',
    'podAnnotations.team=ml',
    'podLabels.cost-center=42a',
    'resources.requests.cpu=1',
  );
  assert.deepEqual(pod.nodeSelector, { pool: 'ops' });
  assert.deepEqual(pod.tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
  assert.ok(pod.affinity);
  assert.equal(pod.priorityClassName, 'system-cluster-critical');
  assert.deepEqual(annotations, { team: 'ml' });
  assert.equal(labels['cost-center'], '42a');
  assert.deepEqual((pod.containers[0]!.resources as { requests: unknown }).requests, { cpu: 1, memory: '192Mi' });
});

void test('a PodDisruptionBudget only with more than one replica; a metrics Service always; monitoring objects on request', async () => {
  const single = await renderChart(tools, []);
  assert.equal(findObject(single, 'PodDisruptionBudget'), undefined);
  assert.ok(findObject(single, 'Service', 'modelship-metrics'));
  for (const kind of ['ServiceMonitor', 'PrometheusRule', 'NetworkPolicy']) assert.equal(findObject(single, kind), undefined, kind);
  const replicated = await renderChart(tools, ['--set', 'replicas=3']);
  assert.deepEqual(findObject(replicated, 'PodDisruptionBudget')?.spec, { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'modelship', 'app.kubernetes.io/instance': 'modelship' } } });
  const monitored = await renderChart(tools, ['--set', 'serviceMonitor.enabled=true', '--set', 'serviceMonitor.labels.release=prom', '--set', 'prometheusRule.enabled=true', '--set', 'networkPolicy.enabled=true']);
  const sm = findObject(monitored, 'ServiceMonitor');
  assert.equal(sm?.metadata.labels?.release, 'prom');
  assert.deepEqual((sm?.spec as { endpoints: unknown[] }).endpoints, [{ port: 'http-metrics', path: '/metrics', interval: '30s' }]);
  assert.ok(findObject(monitored, 'PrometheusRule'));
  assert.ok(findObject(monitored, 'NetworkPolicy'));
});

void test('NetworkPolicy: metrics and health in; API server, DNS, Prometheus and model pods out', async () => {
  const policy = async (...set: string[]) => findObject(await renderChart(tools, ['--set', 'networkPolicy.enabled=true', ...set.flatMap((s) => ['--set', s])]), 'NetworkPolicy')?.spec as {
    ingress: { ports: { port: string }[]; from?: unknown[] }[];
    egress: { ports?: { port: number; protocol: string }[]; to?: Record<string, unknown>[] }[];
  };
  const open = await policy();
  assert.deepEqual(open.ingress.map((r) => r.ports.map((p) => p.port)), [['metrics'], ['health']]);
  assert.deepEqual(open.egress[0], { ports: [{ port: 443, protocol: 'TCP' }, { port: 6443, protocol: 'TCP' }] });
  assert.deepEqual(open.egress[1]?.ports?.map((p) => `${p.port}/${p.protocol}`), ['53/UDP', '53/TCP']);
  assert.deepEqual(open.egress[2], { ports: [{ port: 9090, protocol: 'TCP' }] });
  assert.deepEqual(open.egress[3], { to: [{ podSelector: { matchExpressions: [{ key: 'modelship.io/model-deployment', operator: 'Exists' }] }, namespaceSelector: {} }] });
  const narrowed = await policy('networkPolicy.apiServer.cidrs={10.0.0.1/32}', 'watchNamespaces={team-a}', 'networkPolicy.metricsFrom[0].namespaceSelector.matchLabels.name=monitoring');
  assert.deepEqual(narrowed.egress[0]?.to, [{ ipBlock: { cidr: '10.0.0.1/32' } }]);
  assert.deepEqual(narrowed.egress[3]?.to?.[0]?.namespaceSelector, { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['team-a'] }] });
  assert.deepEqual(narrowed.ingress[0]?.from, [{ namespaceSelector: { matchLabels: { name: 'monitoring' } } }]);
});
