// Events against the real API server: repeats aggregate into one Event with few writes, distinct
// reasons are distinct Events, kubectl describe shows them, and a failing write never reaches the caller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { pino } from 'pino';
import { ApiClient } from '../../src/kube/api-client.ts';
import { EventRecorder, coreV1EventSink, type EventSink, type InvolvedObject } from '../../src/kube/event-recorder.ts';
import { sharedCluster } from '../support/cluster.ts';
import { connectionOf } from '../support/connection.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';
import { runTool } from '../support/run-tool.ts';

const cluster = await sharedCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const namespace = await testNamespace(kc, 'events');
const client = new ApiClient(connectionOf(kc), { qps: 10, burst: 30, userAgent: 'modelship-test' });

/** The real sink, counting its requests. */
function countingSink(): EventSink & { writes: number } {
  const real = coreV1EventSink(client);
  const sink = {
    writes: 0,
    create: (event: CoreV1Event) => {
      sink.writes++;
      return real.create(event);
    },
    update: (ns: string, name: string, count: number, last: Date) => {
      sink.writes++;
      return real.update(ns, name, count, last);
    },
  };
  return sink;
}

async function configMap(name: string): Promise<InvolvedObject> {
  const cm = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { k: 'v' } } });
  return { apiVersion: 'v1', kind: 'ConfigMap', name, namespace, uid: cm.metadata!.uid! };
}

async function eventsFor(object: InvolvedObject): Promise<CoreV1Event[]> {
  const list = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.uid=${object.uid}` });
  return list.items;
}

void test('the same event emitted 50 times is one Event with count 50, written a few times', async () => {
  const object = await configMap('repeated');
  const sink = countingSink();
  const recorder = new EventRecorder({ client, identity: 'modelship-test', sink, aggregationWindowMs: 1000 });
  const startedAt = Date.now();
  for (let i = 0; i < 50; i++) {
    recorder.emit(object, 'Warning', 'ModelFetchFailed', 'model s3://models/fraud/3 could not be fetched: access denied');
    // Time must pass: emits spread over about a second span more than one aggregation window.
    await new Promise((r) => setTimeout(r, 20));
  }
  const [event] = await eventually('one Event with count 50', () => eventsFor(object), (events) => events.length === 1 && events[0]?.count === 50, 10_000);
  assert.ok(event);
  assert.equal(event.type, 'Warning');
  assert.equal(event.reason, 'ModelFetchFailed');
  assert.equal(event.reportingComponent, 'modelship');
  assert.equal(event.reportingInstance, 'modelship-test');
  assert.ok(event.firstTimestamp && event.lastTimestamp && event.lastTimestamp >= event.firstTimestamp);
  // A create at the first emit, then at most one update per one-second window while emits go on
  // (about a second), plus the trailing one: two or three writes instead of fifty.
  const windows = Math.floor((Date.now() - startedAt) / 1000);
  assert.ok(sink.writes >= 2 && sink.writes <= 2 + windows, `${sink.writes} writes over ${windows + 1} windows`);
  await recorder.close();
});

void test('two reasons make two Events, and kubectl describe shows both', async () => {
  const object = await configMap('described');
  const recorder = new EventRecorder({ client, identity: 'modelship-test' });
  recorder.emit(object, 'Normal', 'ModelLoaded', 'model fraud version 3 is being served', 'Reconcile');
  recorder.emit(object, 'Normal', 'ModelLoaded', 'model fraud version 3 is being served', 'Reconcile');
  recorder.emit(object, 'Warning', 'ImagePullBackOff', 'image example.invalid/server:1 cannot be pulled');
  const events = await eventually('two Events', () => eventsFor(object), (e) => e.length === 2);
  assert.deepEqual(events.map((e) => e.reason).sort(), ['ImagePullBackOff', 'ModelLoaded']);
  assert.equal(events.find((e) => e.reason === 'ModelLoaded')?.count, 2);
  assert.equal(events.find((e) => e.reason === 'ModelLoaded')?.action, 'Reconcile');

  const described = await runTool(cluster.toolsDir, 'kubectl', ['--kubeconfig', cluster.kubeconfigPath, 'describe', 'configmap', 'described', '-n', namespace]);
  assert.equal(described.code, 0, described.stderr);
  const section = described.stdout.slice(described.stdout.indexOf('Events:'));
  assert.match(section, /Normal\s+ModelLoaded\s+.*\(x2 over .*\)\s+modelship\s+model fraud version 3 is being served/);
  assert.match(section, /Warning\s+ImagePullBackOff\s+.*modelship\s+image example\.invalid\/server:1 cannot be pulled/);
  await recorder.close();
});

void test('close() writes the repeats still inside their window', async () => {
  const object = await configMap('closing');
  const sink = countingSink();
  const recorder = new EventRecorder({ client, identity: 'modelship-test', sink });
  recorder.emit(object, 'Normal', 'Reconciled', 'up to date');
  await eventually('the first write', () => eventsFor(object), (e) => e.length === 1);
  for (let i = 0; i < 4; i++) recorder.emit(object, 'Normal', 'Reconciled', 'up to date');
  assert.equal((await eventsFor(object))[0]?.count, 1, 'repeats wait for the 30 s window');
  await recorder.close();
  assert.equal((await eventsFor(object))[0]?.count, 5);
  assert.equal(sink.writes, 2);
});

void test('a write the API server refuses is logged, never thrown at the caller', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
  const recorder = new EventRecorder({ client, identity: 'modelship-test', logger });
  const ghost: InvolvedObject = { apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', namespace: 'no-such-namespace-for-events', uid: '00000000-0000-0000-0000-000000000000' };
  assert.doesNotThrow(() => recorder.emit(ghost, 'Warning', 'Lost', 'this namespace does not exist'));
  await eventually('a warning in the log', () => Promise.resolve(lines), (l) => l.some((line) => line.includes('could not write an Event')));
  await recorder.close();
});
