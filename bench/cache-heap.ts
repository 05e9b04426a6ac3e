// `node --expose-gc bench/cache-heap.ts [--count=1000] [--entry-dir=<dir with src/>]`: V8 heap per cached
// object, by kind, with no cluster. Each ModelDeployment of bench/workload.ts is rendered, given what
// the API server and the controllers add (uid, resourceVersion, managedFields, defaults, status; pods
// and EndpointSlices as kube-controller-manager and kwok write them), sent through JSON text (as a list
// or watch answer is) and through the caches' transforms into a store and owner index like an
// informer's. Approximate, for comparing cache layouts quickly; RSS needs bench/memory-sweep.ts.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { parseModelDeployment } from '../src/api/index.ts';
import { defaultRenderConfig, renderModelDeployment } from '../src/render/index.ts';
import { modelDeployment, placements } from './workload.ts';

type Json = Record<string, unknown>;
type Transforms = {
  cachedModelDeployment: (o: Json) => Json;
  cachedChild: (o: Json) => Json;
  cachedPod: (o: Json) => Json;
  cachedEndpointSlice: (o: Json) => Json;
};

const argv = process.argv.slice(2);
const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const count = Number(value('count') ?? 1000);
const entryDir = resolve(value('entry-dir') ?? resolve(import.meta.dirname, '..'));
const transforms = (await import(resolve(entryDir, 'src/controller/cache-transforms.ts'))) as Transforms;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

let rv = 1_000_000;
const T0 = Date.parse('2026-12-04T10:00:00Z');
const time = (i: number) => new Date(T0 + i * 1000).toISOString().replace('.000', '');

/** managedFields' fieldsV1 of an applied object: every field it sets, keyed as the API server keys them. */
function fieldsOf(v: unknown): Json {
  if (Array.isArray(v)) {
    const out: Json = {};
    for (const item of v) {
      if (typeof item === 'object' && item !== null && 'uid' in item) out[`k:{"uid":"${String((item as Json)['uid'])}"}`] = { '.': {}, ...fieldsOf(item) };
      else if (typeof item === 'object' && item !== null && 'name' in item) out[`k:{"name":"${String((item as Json)['name'])}"}`] = { '.': {}, ...fieldsOf(item) };
      else if (typeof item === 'object' && item !== null && 'containerPort' in item) out[`k:{"containerPort":${String((item as Json)['containerPort'])},"protocol":"TCP"}`] = { '.': {}, ...fieldsOf(item) };
      else return {}; // a list of scalars: atomic, owned as a whole
    }
    return out;
  }
  if (typeof v !== 'object' || v === null) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [`f:${k}`, fieldsOf(x)]));
}

function entry(manager: string, operation: string, apiVersion: string, fields: Json, at: string, subresource?: string): Json {
  return { manager, operation, apiVersion, time: at, fieldsType: 'FieldsV1', fieldsV1: fields, ...(subresource ? { subresource } : {}) };
}

function serverMeta(meta: Json, at: string, extra: Json = {}): Json {
  return { ...meta, uid: randomUUID(), resourceVersion: String(rv++), generation: 1, creationTimestamp: at, ...extra };
}

const condition = (type: string, reason: string, message: string, at: string, more: Json = {}) => ({ type, status: 'True', lastTransitionTime: at, reason, message, ...more });

const podDefaults = { restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler' };
function containerDefaults(c: Json): Json {
  return { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent', ...c };
}

/** The objects the operator caches for one ModelDeployment, as the API server would send them. */
function objectsOf(namespace: string, name: string, i: number): { kind: string; obj: Json }[] {
  const manifest = modelDeployment({ namespace, name }) as Json;
  const parsed = parseModelDeployment(manifest);
  if (!parsed.ok) throw new Error('invalid bench manifest');
  const rendered = renderModelDeployment(parsed.value, defaultRenderConfig);
  if (!rendered.ok) throw new Error(rendered.error.message);
  const at = time(i);
  const mdUid = randomUUID();
  const md: Json = {
    ...manifest,
    metadata: serverMeta(manifest['metadata'] as Json, at, {
      uid: mdUid,
      finalizers: ['modelship.io/cleanup'],
      managedFields: [
        entry('bench', 'Update', 'modelship.io/v1alpha1', fieldsOf({ spec: manifest['spec'] }), at),
        entry('modelship', 'Update', 'modelship.io/v1alpha1', { 'f:status': { 'f:conditions': {}, 'f:observedGeneration': {}, 'f:phase': {} } }, at, 'status'),
      ],
    }),
    status: {
      observedGeneration: 1,
      phase: 'Serving',
      url: `http://${name}.${namespace}.svc.cluster.local`,
      stable: { version: '1', revision: 1, readyReplicas: 1, replicas: 1 },
      conditions: [
        condition('Ready', 'Serving', 'all replicas are ready', at, { observedGeneration: 1 }),
        { ...condition('Progressing', 'Stable', 'no rollout in progress', at, { observedGeneration: 1 }), status: 'False' },
        { ...condition('Degraded', 'AsExpected', '', at, { observedGeneration: 1 }), status: 'False' },
      ],
    },
  };
  const owner = { apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', name, uid: mdUid, controller: true, blockOwnerDeletion: true };
  const out: { kind: string; obj: Json }[] = [{ kind: 'ModelDeployment', obj: md }];
  let deployment: Json | undefined;
  for (const child of rendered.objects as unknown as Json[]) {
    const meta = child['metadata'] as Json;
    const applied: Json & { metadata: Json } = { ...child, metadata: { ...meta, annotations: { 'modelship.io/desired-hash': randomUUID().slice(0, 16) }, ownerReferences: [owner] } };
    const { apiVersion, kind, metadata: _m, ...body } = applied;
    const ours = entry('modelship', 'Apply', String(apiVersion), fieldsOf({ metadata: { labels: meta['labels'], annotations: applied.metadata['annotations'], ownerReferences: [owner] }, ...body }), at);
    const obj: Json = { ...applied, metadata: serverMeta(applied.metadata, at, { managedFields: [ours] }) };
    if (kind === 'Deployment') {
      const spec = obj['spec'] as Json;
      const template = spec['template'] as Json;
      const podSpec = template['spec'] as Json;
      obj['spec'] = {
        replicas: 1,
        progressDeadlineSeconds: 600,
        ...spec,
        template: { ...template, spec: { ...podDefaults, ...podSpec, containers: (podSpec['containers'] as Json[]).map(containerDefaults), initContainers: ((podSpec['initContainers'] as Json[] | undefined) ?? []).map(containerDefaults) } },
      };
      (obj['metadata'] as Json)['annotations'] = { ...(applied.metadata['annotations'] as Json), 'deployment.kubernetes.io/revision': '1' };
      const status = {
        observedGeneration: 1,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        conditions: [
          condition('Available', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', at, { lastUpdateTime: at }),
          condition('Progressing', 'NewReplicaSetAvailable', `ReplicaSet "${name}-stable-5d8f7c9b4" has successfully progressed.`, at, { lastUpdateTime: at }),
        ],
      };
      obj['status'] = status;
      ((obj['metadata'] as Json)['managedFields'] as Json[]).push(
        entry('kube-controller-manager', 'Update', 'apps/v1', { 'f:metadata': { 'f:annotations': { '.': {}, 'f:deployment.kubernetes.io/revision': {} } } }, at),
        entry('kube-controller-manager', 'Update', 'apps/v1', fieldsOf({ status }), at, 'status'),
      );
      deployment = obj;
    }
    if (kind === 'Service') {
      obj['spec'] = { ...(obj['spec'] as Json), clusterIP: `10.96.${i % 250}.${(i * 7) % 250}`, clusterIPs: [`10.96.${i % 250}.${(i * 7) % 250}`], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster' };
      obj['status'] = { loadBalancer: {} };
    }
    if (kind === 'HorizontalPodAutoscaler') {
      obj['status'] = {
        currentReplicas: 1,
        desiredReplicas: 1,
        conditions: [
          condition('AbleToScale', 'ReadyForNewScale', 'recommended size matches current size', at),
          { ...condition('ScalingActive', 'FailedGetResourceMetric', 'the HPA was unable to compute the replica count: failed to get cpu utilization', at), status: 'False' },
          condition('ScalingLimited', 'TooFewReplicas', 'the desired replica count is less than the minimum replica count', at),
        ],
      };
      ((obj['metadata'] as Json)['managedFields'] as Json[]).push(entry('kube-controller-manager', 'Update', 'autoscaling/v2', fieldsOf({ status: obj['status'] }), at, 'status'));
    }
    if (kind === 'PodDisruptionBudget') {
      obj['status'] = { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, conditions: [{ ...condition('DisruptionAllowed', 'InsufficientPods', '', at, { observedGeneration: 1 }), status: 'False' }] };
      ((obj['metadata'] as Json)['managedFields'] as Json[]).push(entry('kube-controller-manager', 'Update', 'policy/v1', fieldsOf({ status: obj['status'] }), at, 'status'));
    }
    out.push({ kind: String(kind), obj });
  }
  if (deployment) {
    const template = (deployment['spec'] as Json)['template'] as Json;
    const tmeta = template['metadata'] as Json;
    const podName = `${name}-stable-5d8f7c9b4-${randomUUID().slice(0, 5)}`;
    const podUid = randomUUID();
    const podIp = `10.244.${i % 250}.${(i * 3) % 250}`;
    const podSpec: Json = { ...(template['spec'] as Json), nodeName: `kwok-node-${i % 10}`, serviceAccountName: 'default', serviceAccount: 'default', preemptionPolicy: 'PreemptLowerPriority', priority: 0, enableServiceLinks: false, tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] };
    const containerStatus = (c: Json, ready: boolean) => ({ name: c['name'], image: c['image'], imageID: '', containerID: `containerd://${randomUUID().replace(/-/g, '')}`, ready, restartCount: 0, started: ready, state: ready ? { running: { startedAt: at } } : { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at, containerID: '' } }, lastState: {} });
    const status = {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: at })),
      hostIP: `172.18.0.${i % 10}`,
      hostIPs: [{ ip: `172.18.0.${i % 10}` }],
      podIP: podIp,
      podIPs: [{ ip: podIp }],
      startTime: at,
      initContainerStatuses: ((podSpec['initContainers'] as Json[] | undefined) ?? []).map((c) => containerStatus(c, false)),
      containerStatuses: (podSpec['containers'] as Json[]).map((c) => containerStatus(c, true)),
      qosClass: 'Burstable',
    };
    const pod: Json = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        generateName: `${name}-stable-5d8f7c9b4-`,
        namespace,
        uid: podUid,
        resourceVersion: String(rv++),
        creationTimestamp: at,
        labels: { ...(tmeta['labels'] as Json), 'pod-template-hash': '5d8f7c9b4' },
        annotations: tmeta['annotations'],
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-stable-5d8f7c9b4`, uid: randomUUID(), controller: true, blockOwnerDeletion: true }],
        managedFields: [entry('kube-controller-manager', 'Update', 'v1', fieldsOf({ metadata: { labels: tmeta['labels'], annotations: tmeta['annotations'] }, spec: template['spec'] }), at), entry('kwok', 'Update', 'v1', fieldsOf({ status }), at, 'status')],
      },
      spec: podSpec,
      status,
    };
    out.push({ kind: 'Pod', obj: pod });
    const service = out.find((o) => o.kind === 'Service')?.obj;
    const smeta = (service?.['metadata'] ?? {}) as Json;
    const slice: Json = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${name}-${randomUUID().slice(0, 5)}`,
        generateName: `${name}-`,
        namespace,
        uid: randomUUID(),
        resourceVersion: String(rv++),
        generation: 2,
        creationTimestamp: at,
        labels: { ...(smeta['labels'] as Json), 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': name },
        annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': at },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: String(smeta['uid']), controller: true, blockOwnerDeletion: true }],
        managedFields: [entry('kube-controller-manager', 'Update', 'discovery.k8s.io/v1', { 'f:addressType': {}, 'f:endpoints': {}, 'f:metadata': { 'f:annotations': { '.': {}, 'f:endpoints.kubernetes.io/last-change-trigger-time': {} }, 'f:generateName': {}, 'f:labels': { '.': {} }, 'f:ownerReferences': {} }, 'f:ports': {} }, at)],
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: [podIp], conditions: { ready: true, serving: true, terminating: false }, nodeName: podSpec['nodeName'], targetRef: { kind: 'Pod', namespace, name: podName, uid: podUid } }],
      ports: [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'grpc', port: 8081, protocol: 'TCP' },
      ],
    };
    out.push({ kind: 'EndpointSlice', obj: slice });
  }
  return out;
}

function transformOf(kind: string): (o: Json) => Json {
  if (kind === 'ModelDeployment') return transforms.cachedModelDeployment;
  if (kind === 'Pod') return transforms.cachedPod;
  if (kind === 'EndpointSlice') return transforms.cachedEndpointSlice;
  return transforms.cachedChild;
}

// The API server's text, built first so that only the cached objects remain to be measured.
const list = placements('bench', count);
const texts = new Map<string, string[]>();
list.forEach((p, i) => {
  for (const { kind, obj } of objectsOf(p.namespace, p.name, i)) {
    const t = texts.get(kind) ?? [];
    t.push(JSON.stringify(obj));
    texts.set(kind, t);
  }
});
const dump = value('dump-lists');
if (dump) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(dump, JSON.stringify([...texts].map(([kind, t]) => `{"kind":"${kind}List","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[${t.join(',')}]}`)));
}
const heapUsed = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const stores: unknown[] = [];
const rows: { kind: string; objects: number; textBytes: number; heapBytesPerObject: number }[] = [];
let totalBytes = 0;
let totalObjects = 0;
for (const [kind, kindTexts] of texts) {
  const before = heapUsed();
  const transform = transformOf(kind);
  const store = new Map<string, Json>();
  const index = new Map<string, Set<string>>();
  for (const text of kindTexts) {
    const obj = transform(JSON.parse(text) as Json);
    const meta = obj['metadata'] as { namespace: string; name: string; labels?: Record<string, string> };
    const key = `${meta.namespace}/${meta.name}`;
    store.set(key, obj);
    const owner = meta.labels?.['modelship.io/model-deployment'];
    if (owner !== undefined && kind !== 'ModelDeployment') {
      let keys = index.get(owner);
      if (!keys) index.set(owner, (keys = new Set()));
      keys.add(key);
    }
  }
  stores.push(store, index);
  const grown = heapUsed() - before;
  totalBytes += grown;
  totalObjects += kindTexts.length;
  rows.push({ kind, objects: kindTexts.length, textBytes: Math.round(kindTexts.reduce((n, t) => n + t.length, 0) / kindTexts.length), heapBytesPerObject: Math.round(grown / kindTexts.length) });
}
for (const r of rows) console.log(`${r.kind.padEnd(24)} ${String(r.objects).padStart(6)} objects, API text ${String(r.textBytes).padStart(6)} B, cached ${String(r.heapBytesPerObject).padStart(6)} B each`);
console.log(`all ${totalObjects} objects: ${(totalBytes / 2 ** 20).toFixed(1)} MiB heap, ${Math.round(totalBytes / totalObjects)} B per object (${entryDir})`);
const snapshotFile = value('snapshot');
if (snapshotFile) {
  const { writeHeapSnapshot } = await import('node:v8');
  const kept = [...texts.entries()].map(([kind, t]) => [kind, t[0] ?? ''] as const);
  texts.clear();
  gc();
  console.log(`heap snapshot: ${writeHeapSnapshot(snapshotFile)} (read it with bench/heap-summary.ts)`);
  for (const [kind, t] of kept) texts.set(kind, [t]);
}
if (argv.includes('--show')) {
  for (const [kind, kindTexts] of texts) {
    const obj = transformOf(kind)(JSON.parse(kindTexts[0] ?? '{}') as Json);
    const parts = Object.entries(obj).map(([k, v]) => `${k} ${JSON.stringify(v)?.length ?? 0}`);
    const meta = Object.entries(obj['metadata'] as Json).map(([k, v]) => `${k} ${JSON.stringify(v)?.length ?? 0}`);
    console.log(`${kind}: ${parts.join(', ')}; metadata: ${meta.join(', ')}`);
  }
}
