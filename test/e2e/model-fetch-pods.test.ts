// Real pods fetch their model through modelship's fetcher. A ModelDeployment with an s3:// URI and a
// credentials Secret is scheduled onto the process runtime's node (test/cluster/process-kubelet.ts): its init
// container, modelship's image, runs `node src/main.ts fetch --termination-log ... s3://... /mnt/models` as a
// process in the pod network with the Secret's keys as its environment, against versitygw listening on the pod
// network's host address; then the real MLServer loads what was fetched and answers through the gateway with
// the model's own predictions in Python. Failures (wrong keys, a missing object, a wrong sha256, an archive
// with a `../` entry) reach the ModelDeployment as the kubelet reports them: the fetcher's exit code and its
// termination message become Stalled with the failure's reason and the fetcher's last line; no Secret value
// appears in any status or Event, and the model server never starts.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { processNodePlacement } from '../cluster/process-kubelet.ts';
import { ensureMlserverEnv } from '../cluster/python-env.ts';
import { startS3Server } from '../cluster/s3-server.ts';
import { dataPathCluster, routed, send } from '../support/data-path.ts';
import { installCrds } from '../support/crds.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { conditionOf, createModelDeployment, mdRef, testClient } from '../support/model-deployments.ts';
import { testNamespace } from '../support/namespaces.ts';
import { tarGz } from '../support/tar-writer.ts';
import { eventually } from '../support/wait.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';

const execFileAsync = promisify(execFile);
const log = (line: string) => process.stderr.write(`[model-fetch-pods] ${line}\n`);

const pythonEnv = await ensureMlserverEnv();

// The model: logistic regression on iris (model.joblib, what MLServer's sklearn runtime loads), with its
// predictions for training rows and perturbed rows it was not trained on.
const work = mkdtempSync(join(tmpdir(), 'modelship-fetch-pods-'));
after(() => rmSync(work, { recursive: true, force: true }));
const train = `
import json, sys, joblib, numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=1000).fit(X, y)
joblib.dump(model, sys.argv[1] + "/model.joblib")
rng = np.random.default_rng(11)
rows = np.vstack([X[::15], X[::20] + rng.normal(0, 0.3, X[::20].shape)]).round(3)
print(json.dumps({"rows": rows.tolist(), "predictions": model.predict(rows).tolist()}))
`;
const trained = JSON.parse((await execFileAsync(pythonEnv.python, ['-c', train, work])).stdout) as { rows: number[][]; predictions: number[] };
assert.ok(new Set(trained.predictions).size === 3, 'the rows cover the three classes');
const archive = tarGz([{ name: 'model.joblib', body: readFileSync(join(work, 'model.joblib')) }]);
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

const cluster = await dataPathCluster({ processRuntime: true });
const { dataPath } = cluster;
const gateway = dataPath.gateway;
const runtime = dataPath.processRuntime;
assert.ok(gateway && runtime, 'the data path has a gateway and the process runtime');
// versitygw on loopback (for the test's uploads) and on the pod network's host address (for the pods).
const s3 = await startS3Server({ toolsDir: cluster.toolsDir, extraHost: dataPath.network.hostAddress });
after(() => s3.stop());
assert.ok(s3.podEndpoint);
await s3.createBucket('models');
await s3.putObject('models', 'iris/1/model.tar.gz', archive);
await s3.putObject('models', 'evil/model.tar.gz', tarGz([{ name: 'model.joblib', body: 'x' }, { name: '../escape.txt', body: 'escaped' }]));

await installCrds(cluster);
const kc = cluster.kubeConfig();
const client = testClient(kc);
const core = kc.makeApiClient(CoreV1Api);
const namespace = await testNamespace(kc, 'fetch-pods');
const wrongSecret = `wrong-${sha256(s3.secretAccessKey).slice(0, 24)}`;
const secretValues = [s3.accessKeyId, s3.secretAccessKey, wrongSecret];
const secret = async (name: string, secretAccessKey: string) => {
  const stringData = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: s3.region, AWS_ENDPOINT_URL: s3.podEndpoint ?? '' };
  await core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData } });
};
await secret('s3-creds', s3.secretAccessKey);
await secret('s3-wrong', wrongSecret);
const operator = await startInProcessOperator(kc, [namespace]);

const placement = processNodePlacement();
const get = (name: string) => client.get<ModelDeploymentObject>(mdRef(namespace, name));
const podsOf = async (md: string) => (await core.listNamespacedPod({ namespace, labelSelector: `modelship.io/model-deployment=${md}` })).items;
const logsOf = async (md: string) => (await podsOf(md)).map((p) => `${JSON.stringify(p.status)}\n${runtime.logs(namespace, p.metadata?.name ?? '')}`).join('\n');
const inferBody = (rows: readonly number[][]) => ({ inputs: [{ name: 'input-0', shape: [rows.length, 4], datatype: 'FP64', data: rows.flat() }] });
const fetcherOf = (pod: V1Pod | undefined) => pod?.status?.initContainerStatuses?.find((c) => c.name === 'model-fetcher');

/** When each step of a pod's start was first seen, polling every 100 ms (the API's timestamps are whole seconds). */
function watchStart(md: string, since: number): { stop: () => Promise<Record<string, number>> } {
  const seen: Record<string, number> = {};
  const mark = (step: string, reached: boolean) => {
    if (reached && seen[step] === undefined) seen[step] = Date.now() - since;
  };
  let running = true;
  const loop = (async () => {
    while (running) {
      const [pod] = await podsOf(md).catch(() => []);
      const fetcher = fetcherOf(pod);
      const server = pod?.status?.containerStatuses?.find((c) => c.name === 'model-server');
      mark('pod created', pod !== undefined);
      mark('scheduled', pod?.spec?.nodeName !== undefined);
      mark('fetcher running', fetcher?.state?.running !== undefined || fetcher?.state?.terminated !== undefined);
      mark('fetcher done', fetcher?.state?.terminated?.exitCode === 0);
      mark('server running', server?.state?.running !== undefined);
      mark('server ready', server?.ready === true);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

test("an s3:// model with a credentials Secret is fetched by modelship's fetcher in the pod and served by the real MLServer with Python's predictions", { timeout: 600_000 }, async () => {
  const name = 'iris';
  const started = Date.now();
  const steps = watchStart(name, started);
  await createModelDeployment(client, namespace, {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name },
    spec: {
      model: { name, version: '1', uri: 's3://models/iris/1/model.tar.gz', format: 'sklearn', sha256: sha256(archive), credentials: { secretRef: { name: 's3-creds' } } },
      runtime: { preset: 'mlserver', ...placement },
      replicas: 1,
      rollout: { strategy: 'canary', steps: [{ weight: 50 }], traffic: { provider: 'gateway-api', gateway: { name: gateway.name, namespace: gateway.namespace } } },
    },
  });
  try {
    await eventually('the ModelDeployment to be Ready', () => get(name), (md) => conditionOf(md, 'Ready')?.status === 'True', 300_000, 250);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${await logsOf(name)}`, { cause: err });
  }
  const readyMs = Date.now() - started;
  const seen = await steps.stop();

  const [pod] = await podsOf(name);
  assert.equal(pod?.spec?.nodeName, runtime.nodeName, 'the pod ran on the process node');
  // The init container was modelship's fetcher, with the Secret's keys by reference only.
  const fetcherSpec = pod?.spec?.initContainers?.find((c) => c.name === 'model-fetcher');
  assert.deepEqual(fetcherSpec?.args, ['fetch', '--termination-log', '/dev/termination-log', '--sha256', sha256(archive), 's3://models/iris/1/model.tar.gz', '/mnt/models']);
  assert.deepEqual(fetcherSpec?.envFrom?.map((e) => e.secretRef?.name), ['s3-creds']);
  // It exited 0 at the first attempt, and its termination message is its last line.
  const fetched = fetcherOf(pod);
  assert.equal(fetched?.state?.terminated?.exitCode, 0);
  assert.equal(fetched?.restartCount, 0);
  const done = /^modelship-fetch: done: 1 file\(s\), [0-9.]+ (?:B|KiB|MiB) in ([0-9.]+)s\n$/.exec(fetched?.state?.terminated?.message ?? '');
  assert.ok(done, `the fetcher's termination message: ${JSON.stringify(fetched?.state?.terminated?.message)}`);
  const server = pod?.status?.containerStatuses?.find((c) => c.name === 'model-server');
  assert.equal(server?.ready, true);
  assert.equal(server?.restartCount, 0);

  // V2 inference through the gateway: MLServer's answer for every row is the model's prediction in Python.
  const path = `/v2/models/${name}/infer`;
  await routed(dataPath.gatewayUrl, (replies) => replies.every((r) => r.status === 200), { path, body: inferBody(trained.rows.slice(0, 1)), probe: 4, timeoutMs: 60_000 });
  const predictedMs = Date.now() - started;
  const reply = await send(dataPath.gatewayUrl, { path, body: inferBody(trained.rows) });
  assert.equal(reply.status, 200, reply.body);
  assert.deepEqual((JSON.parse(reply.body) as { outputs: { data: number[] }[] }).outputs[0]?.data, trained.predictions);
  for (const [i, row] of trained.rows.slice(0, 5).entries()) {
    const one = await send(dataPath.gatewayUrl, { path, body: inferBody([row]) });
    assert.equal(one.status, 200, one.body);
    assert.deepEqual((JSON.parse(one.body) as { outputs: { data: number[] }[] }).outputs[0]?.data, [trained.predictions[i]]);
  }

  // The cold start, as seen by polling every 100 ms, and the fetcher's own figure for the fetch itself.
  const at = (step: string) => (seen[step] === undefined ? 'n/a' : `${(seen[step] / 1000).toFixed(1)} s`);
  log(
    `cold start: apply -> pod created ${at('pod created')}, scheduled ${at('scheduled')}, fetcher running ${at('fetcher running')}, fetcher done ${at('fetcher done')} ` +
      `(the fetch itself ${done[1]} s by its own clock; the rest is starting Node and the AWS SDK), server running ${at('server running')}, server ready ${at('server ready')}, ` +
      `ModelDeployment Ready ${(readyMs / 1000).toFixed(1)} s, first correct prediction through the gateway ${(predictedMs / 1000).toFixed(1)} s`,
  );
});

test('wrong keys, a missing object, a wrong sha256 and an archive with ../ each stall with their reason and the fetcher\'s line; no Secret value anywhere; nothing served', { timeout: 300_000 }, async () => {
  const model = (name: string, uri: string, extra: Record<string, unknown> = {}) =>
    createModelDeployment(client, namespace, {
      apiVersion: 'modelship.io/v1alpha1',
      kind: 'ModelDeployment',
      metadata: { name },
      spec: { model: { name, version: '1', uri, format: 'sklearn', credentials: { secretRef: { name: 's3-creds' } }, ...extra }, runtime: { preset: 'mlserver', ...placement }, replicas: 1 },
    });
  const wrongSha = sha256('another model');
  const cases: { name: string; reason: string; exitCode: number; message: RegExp }[] = [
    { name: 'wrong-keys', reason: 'AccessDenied', exitCode: 11, message: /: s3:\/\/models\/iris\/1\/model\.tar\.gz: access denied \(SignatureDoesNotMatch\); check the keys of the Secret in spec\.model\.credentials/ },
    { name: 'missing', reason: 'ModelNotFound', exitCode: 10, message: /: s3:\/\/models\/iris\/9\/model\.tar\.gz: (not found|no object with this key or under this prefix)[^;]*; check spec\.model\.uri/ },
    { name: 'checksum', reason: 'ChecksumMismatch', exitCode: 12, message: new RegExp(`: s3://models/iris/1/model\\.tar\\.gz: sha256 is ${sha256(archive)}, expected ${wrongSha}; check spec\\.model\\.sha256`) },
    { name: 'unsafe', reason: 'ModelFetchFailed', exitCode: 14, message: /: s3:\/\/models\/evil\/model\.tar\.gz: .*\.\.\/escape\.txt.*; see kubectl logs \S+ -c model-fetcher/ },
  ];
  await model('wrong-keys', 's3://models/iris/1/model.tar.gz', { credentials: { secretRef: { name: 's3-wrong' } } });
  await model('missing', 's3://models/iris/9/model.tar.gz');
  await model('checksum', 's3://models/iris/1/model.tar.gz', { sha256: wrongSha });
  await model('unsafe', 's3://models/evil/model.tar.gz');
  const started = Date.now();
  for (const c of cases) {
    let md: ModelDeploymentObject | undefined;
    try {
      md = await eventually(`${c.name} to be Stalled`, () => get(c.name), (m) => conditionOf(m, 'Stalled')?.status === 'True', 120_000, 250);
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${await logsOf(c.name)}`, { cause: err });
    }
    const stalled = conditionOf(md, 'Stalled');
    assert.equal(stalled?.reason, c.reason, `${c.name}: ${JSON.stringify(stalled)}`);
    assert.match(stalled?.message ?? '', new RegExp(`^pod ${c.name}-stable-\\S+ container model-fetcher \\(exit code ${c.exitCode}\\)`), c.name);
    assert.match(stalled?.message ?? '', c.message, c.name);
    assert.equal(conditionOf(md, 'Ready')?.status, 'False');
    assert.equal(conditionOf(md, 'Ready')?.reason, c.reason);
    log(`${c.name}: Stalled ${((Date.now() - started) / 1000).toFixed(1)} s after the applies: ${stalled?.reason}: ${stalled?.message}`);
    // The kubelet's part: the exit code and the fetcher's last line in the init container's terminated state.
    const [pod] = await podsOf(c.name);
    const fetcher = fetcherOf(pod);
    const ended = fetcher?.state?.terminated ?? fetcher?.lastState?.terminated;
    assert.equal(ended?.exitCode, c.exitCode, c.name);
    assert.match(ended?.message ?? '', new RegExp(`^modelship-fetch: ${c.reason}: s3://`), c.name);
  }
  // Retried by the kubelet (restartPolicy Always) and still Stalled with the same message; the server never ran.
  await new Promise((r) => setTimeout(r, 4000));
  for (const c of cases) {
    const md = await get(c.name);
    assert.equal(conditionOf(md, 'Stalled')?.reason, c.reason, `${c.name} stays Stalled between attempts`);
    const [pod] = await podsOf(c.name);
    assert.equal(pod?.status?.phase, 'Pending', c.name);
    const server = pod?.status?.containerStatuses?.find((s) => s.name === 'model-server');
    assert.equal(server?.state?.waiting?.reason, 'PodInitializing', `${c.name}: the model server never started`);
    assert.equal(server?.restartCount, 0);
    assert.equal(server?.lastState?.terminated, undefined);
    assert.equal(md?.status?.readyReplicas ?? 0, 0);
    assert.equal(conditionOf(md, 'Serving')?.status, 'False');
  }
  // No Secret value in any ModelDeployment's status, any pod's status or any Event (the API's and the operator's).
  const statuses = JSON.stringify(await Promise.all(cases.map(async (c) => [(await get(c.name))?.status, (await podsOf(c.name)).map((p) => p.status)])));
  const events = JSON.stringify([(await core.listNamespacedEvent({ namespace })).items, operator.events]);
  assert.ok(operator.events.some((e) => e.type === 'Warning' && e.reason === 'AccessDenied' && e.name === 'wrong-keys'), `the stall is announced: ${JSON.stringify(operator.events.map((e) => [e.name, e.reason]))}`);
  for (const value of secretValues) {
    assert.ok(!statuses.includes(value), 'a Secret value appears in a status');
    assert.ok(!events.includes(value), 'a Secret value appears in an Event');
  }
});
