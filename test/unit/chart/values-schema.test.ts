// values.schema.json refuses what the chart would otherwise ignore or pass on broken: unknown keys at
// every level the chart defines (a typo), wrong types and values the operator would refuse at start-up.
// The e2e test shows the same message from `helm install`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { chartDir, helm, toolsDir } from '../../support/helm-chart.ts';

const tools = await toolsDir();

async function refused(...set: string[]): Promise<string> {
  const r = await helm(tools, ['template', 'modelship', chartDir, ...set.flatMap((s) => ['--set', s])]);
  assert.notEqual(r.code, 0, `helm template ${set.join(' ')} should fail`);
  return r.stderr;
}

void test('a typo at the top level or in a nested object fails, naming the property and where it is', async () => {
  assert.match(await refused('replica=2'), /at '': additional properties 'replica' not allowed/);
  assert.match(await refused('image.tags=1.0'), /at '\/image': additional properties 'tags' not allowed/);
  assert.match(await refused('serviceMonitor.enable=true'), /at '\/serviceMonitor': additional properties 'enable' not allowed/);
  assert.match(await refused('networkPolicy.apiServer.port=443'), /at '\/networkPolicy\/apiServer': additional properties 'port' not allowed/);
  assert.match(await refused('imagePullSecrets[0].nam=regcred'), /at '\/imagePullSecrets\/0'/);
});

void test('wrong types and values the operator would refuse fail at install, not in a crash-looping pod', async () => {
  assert.match(await refused('replicas=0'), /at '\/replicas': minimum: got 0, want 1/);
  assert.match(await refused('logLevel=verbose'), /at '\/logLevel': value must be one of/);
  assert.match(await refused('watchNamespaces={Team_A}'), /at '\/watchNamespaces\/0'/);
  assert.match(await refused('analysis.prometheusAddress=prometheus:9090'), /at '\/analysis\/prometheusAddress'/);
  assert.match(await refused('analysis.userAddresses={http://prometheus:9090/api}'), /at '\/analysis\/userAddresses\/0'/);
  assert.match(await refused('analysis.userSecrets=yes'), /at '\/analysis\/userSecrets'/);
  assert.match(await refused('analysis.sources[0].name=main', 'analysis.sources[0].address=http://p:9090', 'analysis.sources[0].token=x'), /at '\/analysis\/sources\/0': additional properties 'token' not allowed/);
  assert.match(await refused('analysis.sources[0].name=Main', 'analysis.sources[0].address=http://p:9090'), /at '\/analysis\/sources\/0\/name'/);
  assert.match(await refused('analysis.sources[0].name=main'), /at '\/analysis\/sources\/0': missing property 'address'/);
  assert.match(await refused('image.pullPolicy=Sometimes'), /at '\/image\/pullPolicy'/);
  assert.match(await refused('prometheusRule.models.errorRatio=2'), /at '\/prometheusRule\/models\/errorRatio'/);
  assert.match(await refused('prometheusRule.models.noTrafficFor=half an hour'), /at '\/prometheusRule\/models\/noTrafficFor'/);
  assert.match(await refused('grafanaDashboard.enable=true'), /at '\/grafanaDashboard': additional properties 'enable' not allowed/);
  assert.match(await refused('image.digest=latest'), /at '\/image\/digest'/);
  assert.match(await refused('leaderElection.enabled=yes'), /at '\/leaderElection\/enabled'/);
  assert.match(await refused('leaderElection.flowSchema.enabled=yes'), /at '\/leaderElection\/flowSchema\/enabled'/);
  assert.match(await refused('leaderElection.flowSchema.precedence=150'), /at '\/leaderElection\/flowSchema': additional properties 'precedence' not allowed/);
  assert.match(await refused('extraArgs={resync-period=1m}'), /at '\/extraArgs\/0'/);
  assert.match(await refused('istio.allowedHosts={*.*.example.com}'), /at '\/istio\/allowedHosts\/0'/);
  assert.match(await refused('istio.allowedGateways={public}'), /at '\/istio\/allowedGateways\/0'/);
  assert.match(await refused('istio.exportTo={Team}'), /at '\/istio\/exportTo\/0'/);
});

void test('every object the schema defines closes its properties (draft-07)', () => {
  const schema = JSON.parse(readFileSync(`${chartDir}/values.schema.json`, 'utf8')) as Schema;
  const open: string[] = [];
  const walk = (s: Schema, path: string) => {
    if (s.properties !== undefined && s.additionalProperties !== false) open.push(path || '/');
    for (const [k, child] of Object.entries(s.properties ?? {})) walk(child, `${path}/${k}`);
  };
  walk(schema, '');
  assert.deepEqual(open, []);
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
});

interface Schema {
  $schema?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: unknown;
}
