// A real MLServer serving a real sklearn model, end to end: the model is trained here with the cached Python
// environment's scikit-learn, put in a host folder that a bound claim serves (pvc://), and a ModelDeployment
// with the `mlserver` preset is scheduled onto the process runtime's node (test/cluster/process-kubelet.ts),
// which runs the pod's server as a process on the pod's IP. Requests go through the data path's gateway to
// the HTTPRoute the operator writes, and the predictions must be the model's own predictions in Python.
// Then the metrics the `mlserver` preset's built-in analysis queries name must exist on the real server, and
// the same model saved as an MLflow model (format mlflow) is served by MLServer's MLflow runtime.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, DiscoveryV1Api, type V1Pod } from '@kubernetes/client-node';
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { builtinQueries } from '../../src/analysis/builtin-queries.ts';
import { LABEL_MODEL_DEPLOYMENT, LABEL_NAMESPACE, LABEL_VARIANT, stringLiteralValue } from '../../src/analysis/promql-syntax.ts';
import { processNodePlacement } from '../cluster/process-kubelet.ts';
import { ensureMlserverEnv } from '../cluster/python-env.ts';
import { dataPathCluster, routed, send } from '../support/data-path.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { boundClaim } from '../support/volumes.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';

const execFileAsync = promisify(execFile);

// The cached environment (made by `npm run python:env` ahead of the tests; here when missing).
const envStarted = Date.now();
const pythonEnv = await ensureMlserverEnv();
process.stderr.write(`[mlserver-process-runtime] Python environment ready in ${Math.round((Date.now() - envStarted) / 1000)} s\n`);

// The model: logistic regression on iris, saved as MLServer's sklearn runtime looks for it (model.joblib),
// with its predictions for rows it was not trained on exactly (perturbed) and for training rows.
const modelRoot = mkdtempSync(join(tmpdir(), 'modelship-iris-'));
after(() => rmSync(modelRoot, { recursive: true, force: true }));
const train = `
import json, sys, joblib, numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=1000).fit(X, y)
joblib.dump(model, sys.argv[1] + "/model.joblib")
# The same model as an MLflow model (format mlflow: MLServer's MLflow runtime), with its signature.
import mlflow.sklearn
from mlflow.models import infer_signature
mlflow.sklearn.save_model(model, sys.argv[2], signature=infer_signature(X, model.predict(X)))
rng = np.random.default_rng(7)
rows = np.vstack([X[::15], X[::20] + rng.normal(0, 0.3, X[::20].shape)]).round(3)
print(json.dumps({"rows": rows.tolist(), "predictions": model.predict(rows).tolist()}))
`;
mkdirSync(join(modelRoot, 'iris'));
const trained = JSON.parse((await execFileAsync(pythonEnv.python, ['-c', train, join(modelRoot, 'iris'), join(modelRoot, 'iris-mlflow')], { env: { ...process.env, MLFLOW_TRACKING_URI: `file://${modelRoot}/mlruns` } })).stdout) as {
  rows: number[][];
  predictions: number[];
};
assert.ok(new Set(trained.predictions).size === 3, 'the rows cover the three classes');

const cluster = await dataPathCluster({ processRuntime: true });
const { dataPath } = cluster;
await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const core = kc.makeApiClient(CoreV1Api);
const namespace = await testNamespace(kc, 'mlserver');
await boundClaim(kc, namespace, 'models', modelRoot);
await startInProcessOperator(kc, [namespace]);
const gateway = dataPath.gateway;
const runtime = dataPath.processRuntime;
assert.ok(gateway && runtime, 'the data path has a gateway and the process runtime');

const name = 'iris';
const get = () => client.get<ModelDeploymentObject>(mdRef(namespace, name));
const podsOf = async (md = name) => (await core.listNamespacedPod({ namespace, labelSelector: `modelship.io/model-deployment=${md}` })).items;
const inferBody = (rows: readonly number[][]) => ({ inputs: [{ name: 'input-0', shape: [rows.length, 4], datatype: 'FP64', data: rows.flat() }] });
let pod: V1Pod | undefined;

test('a real MLServer on the process runtime serves the model through the gateway with the predictions Python makes', { timeout: 600_000 }, async () => {
  const started = Date.now();
  await createModelDeployment(client, namespace, {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name },
    spec: {
      model: { name, version: '1', uri: 'pvc://models/iris', format: 'sklearn' },
      runtime: { preset: 'mlserver', ...processNodePlacement() },
      replicas: 1,
      rollout: { strategy: 'canary', steps: [{ weight: 50 }], traffic: { provider: 'gateway-api', gateway: { name: gateway.name, namespace: gateway.namespace } } },
    },
  });
  const logs = async () => (await podsOf()).map((p) => runtime.logs(namespace, p.metadata?.name ?? '')).join('\n');
  try {
    await eventually('the ModelDeployment to be Ready', get, (md) => conditionOf(md, 'Ready')?.status === 'True', 240_000, 1000);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${JSON.stringify((await podsOf()).map((p) => p.status), null, 1)}\n${await logs()}`, { cause: err });
  }
  process.stderr.write(`[mlserver-process-runtime] Ready ${Math.round((Date.now() - started) / 1000)} s after apply\n`);

  // The pod ran on the process node, with the runtime's address, and is Ready from its real readiness probe.
  const pods = await podsOf();
  assert.equal(pods.length, 1);
  pod = pods[0];
  assert.equal(pod?.spec?.nodeName, runtime.nodeName);
  assert.match(pod?.status?.podIP ?? '', /^\d+\.\d+\.254\.\d+$/);
  assert.equal(pod?.status?.phase, 'Running');
  const server = pod?.status?.containerStatuses?.find((c) => c.name === 'model-server');
  assert.equal(server?.ready, true);
  assert.equal(server?.restartCount, 0);
  assert.ok(server?.state?.running, 'the server container runs');
  // Its EndpointSlice says ready with that address: the gateway routes to the real process.
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const slices = await discovery.listNamespacedEndpointSlice({ namespace });
  const endpoints = slices.items.flatMap((s) => s.endpoints ?? []);
  assert.ok(endpoints.some((e) => e.addresses.includes(pod?.status?.podIP ?? '') && e.conditions?.ready === true), 'the pod IP is a ready endpoint');

  // V2 inference through the gateway: MLServer's answer for every row is the model's prediction in Python.
  const path = `/v2/models/${name}/infer`;
  await routed(dataPath.gatewayUrl, (replies) => replies.every((r) => r.status === 200), { path, body: inferBody(trained.rows.slice(0, 1)), probe: 4, timeoutMs: 60_000 });
  const reply = await send(dataPath.gatewayUrl, { path, body: inferBody(trained.rows) });
  assert.equal(reply.status, 200, reply.body);
  const answer = JSON.parse(reply.body) as { model_name: string; outputs: { name: string; data: number[] }[] };
  assert.equal(answer.model_name, name);
  assert.deepEqual(answer.outputs[0]?.data, trained.predictions);
  // One row at a time too (a batch of one is decoded the same way).
  for (const [i, row] of trained.rows.slice(0, 5).entries()) {
    const one = await send(dataPath.gatewayUrl, { path, body: inferBody([row]) });
    assert.equal(one.status, 200, one.body);
    assert.deepEqual((JSON.parse(one.body) as { outputs: { data: number[] }[] }).outputs[0]?.data, [trained.predictions[i]]);
  }
});

/** Metric names and the label names (scoping labels added by Prometheus aside) of each selector of a query. */
function selectorsOf(query: string): { metric: string; labels: string[] }[] {
  const out: { metric: string; labels: string[] }[] = [];
  const text = (n: SyntaxNode) => query.slice(n.from, n.to);
  parser.parse(query).iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`query does not parse: ${query}`);
      if (node.name !== 'VectorSelector') return;
      const selector = node.node;
      const matchers = selector.getChild('LabelMatchers');
      const all = matchers ? matchers.getChildren('UnquotedLabelMatcher').concat(matchers.getChildren('QuotedLabelMatcher')) : [];
      const labelOf = (m: SyntaxNode) => {
        const plain = m.getChild('LabelName');
        const quoted = m.getChild('QuotedLabelName')?.getChild('StringLiteral');
        return plain ? text(plain) : quoted ? (stringLiteralValue(text(quoted)) ?? '') : '';
      };
      const identifier = selector.getChild('Identifier');
      const byName = all.find((m) => labelOf(m) === '__name__');
      const nameValue = byName?.getChildren('StringLiteral').at(-1);
      const metric = identifier ? text(identifier) : nameValue ? (stringLiteralValue(text(nameValue)) ?? '') : '';
      const scoping = new Set(['__name__', LABEL_NAMESPACE, LABEL_MODEL_DEPLOYMENT, LABEL_VARIANT]);
      out.push({ metric, labels: all.map(labelOf).filter((l) => !scoping.has(l)) });
    },
  });
  return out;
}

test("every metric the mlserver preset's built-in queries name exists on the real MLServer, with the labels they match on", { timeout: 120_000 }, async () => {
  assert.ok(pod?.status?.podIP, 'the first test left a served pod');
  const queries = builtinQueries('mlserver', { namespace, name, variant: 'stable' }, 60, 0.95);
  assert.ok(queries, 'the mlserver preset has built-in queries');
  const selectors = [queries.requests, queries.errors, queries.latency].flatMap(selectorsOf);
  assert.ok(selectors.length >= 3, `selectors found: ${JSON.stringify(selectors)}`);
  // A failing request too, so that a failure series exists if MLServer exports one only after a failure.
  await send(`http://${pod.status.podIP}:8080`, { path: `/v2/models/${name}/infer`, body: { inputs: [{ name: 'input-0', shape: [1, 3], datatype: 'FP64', data: [1, 2, 3] }] } });
  const metricsPort = pod.spec?.containers.find((c) => c.name === 'model-server')?.ports?.find((p) => p.name === 'metrics')?.containerPort;
  assert.ok(metricsPort, 'the server container has a metrics port');
  const exposition = await eventually(
    'the metrics endpoint',
    async () => {
      const res = await fetch(`http://${pod?.status?.podIP}:${metricsPort}/metrics`, { signal: AbortSignal.timeout(5000) });
      return res.status === 200 ? await res.text() : '';
    },
    (t) => t.length > 0,
    30_000,
  );
  // name -> label names seen on its samples
  const series = new Map<string, Set<string>>();
  for (const line of exposition.split('\n')) {
    const m = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s/.exec(line);
    if (!m?.[1]) continue;
    const labels = series.get(m[1]) ?? new Set<string>();
    for (const l of (m[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="/g)) if (l[1]) labels.add(l[1]);
    series.set(m[1], labels);
  }
  const missing = selectors.filter((s) => !series.has(s.metric)).map((s) => s.metric);
  assert.deepEqual([...new Set(missing)], [], `metrics the queries name that MLServer 1.7.1 does not expose; it exposes: ${[...series.keys()].sort().join(', ')}`);
  for (const s of selectors) {
    for (const label of s.labels) assert.ok(series.get(s.metric)?.has(label), `${s.metric} has no label ${label}: ${[...(series.get(s.metric) ?? [])].join(', ')}`);
  }
  // Each query's counters moved: the inference requests above were counted under the names the queries use.
  const successes = [...exposition.matchAll(/^model_infer_request_success_total\{[^}]*\}\s+([0-9.e+]+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  assert.ok(successes >= 6, `model_infer_request_success_total counted ${successes} inference requests`);
});

test('the same model saved by MLflow (format mlflow) is served by MLServer\'s MLflow runtime with the same predictions', { timeout: 300_000 }, async () => {
  const mlflowName = 'iris-mlflow';
  await createModelDeployment(client, namespace, {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name: mlflowName },
    spec: {
      model: { name: mlflowName, version: '1', uri: `pvc://models/${mlflowName}`, format: 'mlflow' },
      runtime: { preset: 'mlserver', ...processNodePlacement() },
      replicas: 1,
    },
  });
  try {
    await eventually('the MLflow ModelDeployment to be Ready', () => client.get<ModelDeploymentObject>(mdRef(namespace, mlflowName)), (md) => conditionOf(md, 'Ready')?.status === 'True', 240_000, 1000);
  } catch (err) {
    const pods = await podsOf(mlflowName);
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${pods.map((p) => `${JSON.stringify(p.status)}\n${runtime.logs(namespace, p.metadata?.name ?? '')}`).join('\n')}`, { cause: err });
  }
  const [served] = await podsOf(mlflowName);
  assert.equal(served?.spec?.nodeName, runtime.nodeName);
  assert.equal(served?.spec?.containers[0]?.env?.find((e) => e.name === 'MLSERVER_MODEL_IMPLEMENTATION')?.value, 'mlserver_mlflow.MLflowRuntime');
  // Straight to the pod's IP: the gateway's route belongs to the first ModelDeployment.
  const reply = await send(`http://${served?.status?.podIP}:8080`, { path: `/v2/models/${mlflowName}/infer`, body: inferBody(trained.rows) });
  assert.equal(reply.status, 200, reply.body);
  assert.deepEqual((JSON.parse(reply.body) as { outputs: { data: number[] }[] }).outputs[0]?.data, trained.predictions);
});
