// Rollout peers on the same data path: modelship, Flagger and Argo Rollouts, each driving the data path's
// Traefik through a weighted TraefikService, on one control plane, with the same simulator model pods and
// the same step plan (peer-workloads.ts). Per repetition and controller:
// - promotion: spec change -> first canary weight seen in the TraefikService, the time from the first
//   weight to the second (the plan pauses 10 s between them), and the time to the controller's own
//   "promoted" (the new version alone behind the route);
// - abort: spec change, first weight, then the controller's abort -> canary weight 0 in the TraefikService;
// - through the gateway: the first reply of the new version, and the last reply of an aborted one;
// - failed requests of a constant load through the gateway (that controller's Host) during the promotion
//   (spec change to promoted) and the abort (abort to canary scaled away, plus 2 s), and over the whole
//   run (to 10 s after the last abort: pods removed after those windows end count too).
// The TraefikService is read every 50 ms (the figures' resolution). Controllers run one at a time, each on
// the admin kubeconfig, out of cluster.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { HttpMethod } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../test/cluster/control-plane.ts';
import { installCrdFiles, type GatewayRef } from '../test/cluster/traffic.ts';
import { ApiClient } from '../src/kube/api-client.ts';
import { loadClusterConnection } from '../src/kube/cluster-connection.ts';
import { startGatewayLoad, type GatewayLoad } from './gateway-load.ts';
import { startOperator } from './operator-runner.ts';
import { buildPeer, installPeerCrds, peerVersion, startPeer, type PeerName } from './peer-controllers.ts';
import {
  MODEL,
  PAUSE_SECONDS,
  STEP_WEIGHTS,
  argoRollout,
  argoServices,
  argoTraefikService,
  canaryPercent,
  flaggerCanary,
  flaggerTarget,
  modelshipModel,
  routeTo,
} from './peer-workloads.ts';
import { sleep } from './parallel.ts';
import { round, summarize, type Summary } from './stats.ts';

export type ControllerName = 'modelship' | PeerName;

export interface Repetition {
  readonly toFirstWeightSeconds: number;
  readonly firstWeight: number;
  /**
   * Spec change -> the first reply of the new version through the gateway. Differs from the first weight where
   * a controller sets the weight before the canary's pods serve (Argo Rollouts keeps its canary Service on the
   * stable pods until the canary ReplicaSet is available).
   */
  readonly toFirstNewReplySeconds: number;
  /** From the first weight seen to the second (25% -> 50%); the plan pauses 10 s in between. */
  readonly stepSeconds: number;
  readonly toPromotedSeconds: number;
  readonly abortToStableSeconds: number;
  /** Abort -> the last reply of the aborted version through the gateway (0 if none came after the abort). */
  readonly abortToLastAbortedReplySeconds: number;
  readonly promotion: { requests: number; failed: number; statuses: Record<string, number> };
  readonly abort: { requests: number; failed: number; statuses: Record<string, number> };
}

export interface ControllerResult {
  readonly controller: ControllerName;
  readonly version: string;
  readonly how: string;
  readonly repetitions?: readonly Repetition[];
  readonly toFirstWeightSeconds?: Summary;
  readonly toFirstNewReplySeconds?: Summary;
  readonly stepSeconds?: Summary;
  readonly toPromotedSeconds?: Summary;
  readonly abortToStableSeconds?: Summary;
  readonly abortToLastAbortedReplySeconds?: Summary;
  readonly failedDuringPromotion?: number;
  readonly failedDuringAbort?: number;
  readonly requestsDuringPromotion?: number;
  readonly requestsDuringAbort?: number;
  /**
   * Every request of the run, from version 1 served to TAIL_MS after the last abort (a controller may
   * remove pods after its promoted or aborted status, outside the windows above); failed ones by status.
   */
  readonly failedOverall?: number;
  readonly requestsOverall?: number;
  readonly failedOverallStatuses?: Record<string, number>;
  readonly error?: string;
}

interface Driver {
  readonly controller: ControllerName;
  readonly how: string;
  /** The weighted TraefikService whose canary share is read. */
  readonly traefikService: string;
  /** Creates the objects at version `version` and returns once the controller holds it as stable. */
  setup(version: string): Promise<void>;
  change(version: string): Promise<void>;
  abort(): Promise<void>;
  /** The controller reports `version` fully promoted. */
  promoted(version: string): Promise<boolean>;
  /** The controller reports the abort done. */
  aborted(): Promise<boolean>;
  stop(): Promise<void>;
}

const TIMEOUT_MS = 180_000;
/** Load kept after the last abort, so pods a controller removes after its own "aborted" are counted in the whole run. */
const TAIL_MS = 10_000;
export const PLAN = `weights ${STEP_WEIGHTS.join('%, ')}% with ${PAUSE_SECONDS} s pauses, then promotion; 2 replicas of simulator pods`;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = TIMEOUT_MS, intervalMs = 50): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return performance.now();
    } catch {
      // not there yet
    }
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export async function runRolloutPeers(options: { repetitions: number; controllers: readonly ControllerName[] }, log: (m: string) => void): Promise<ControllerResult[]> {
  const binaries = new Map<PeerName, string>();
  for (const peer of options.controllers.filter((c): c is PeerName => c !== 'modelship')) {
    log(`rollout-peers: building ${peer} (cached after the first build)`);
    binaries.set(peer, await buildPeer(peer));
  }
  const cp = await startControlPlane({ dataPath: true, nodes: 1 });
  const results: ControllerResult[] = [];
  try {
    const dataPath = cp.dataPath;
    if (!dataPath?.gateway) throw new Error('the control plane has no gateway');
    const client = new ApiClient(loadClusterConnection(cp.kubeconfigPath), { qps: 10_000, burst: 10_000, userAgent: 'modelship-bench' });
    await installCrdFiles(cp.toolsDir, cp.kubeconfigPath, [join(import.meta.dirname, '..', 'crds', 'modelship.io_modeldeployments.yaml')]);
    await client.request(HttpMethod.POST, '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-system' } } });
    for (const controller of options.controllers) {
      const namespace = `peers-${controller}`;
      const host = `${controller}.peers.test`;
      await client.request(HttpMethod.POST, '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } });
      const version = controller === 'modelship' ? 'dev (this checkout)' : peerVersion(controller);
      let driver: Driver | undefined;
      try {
        driver =
          controller === 'modelship'
            ? await modelshipDriver(cp, client, namespace, host, dataPath.gateway)
            : controller === 'flagger'
              ? await flaggerDriver(cp, client, namespace, host, dataPath.gateway, binaries.get('flagger') ?? '')
              : await argoDriver(cp, client, namespace, host, dataPath.gateway, binaries.get('argo-rollouts') ?? '');
        results.push(await measure(driver, client, namespace, dataPath.gatewayUrl, host, version, options.repetitions, log));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log(`rollout-peers: ${controller} failed: ${message}\n${dataPath.logs(10)}`);
        results.push({ controller, version, how: driver?.how ?? '', error: message.split('\n')[0] ?? message });
      } finally {
        await driver?.stop();
      }
    }
  } finally {
    await cp.stop();
  }
  return results;
}

async function measure(driver: Driver, client: ApiClient, namespace: string, gatewayUrl: string, host: string, controllerVersion: string, repetitions: number, log: (m: string) => void): Promise<ControllerResult> {
  const tsPath = `/apis/traefik.io/v1alpha1/namespaces/${namespace}/traefikservices/${driver.traefikService}`;
  const canary = async () => canaryPercent(await client.request(HttpMethod.GET, tsPath));
  await driver.setup('1');
  const load: GatewayLoad = startGatewayLoad(gatewayUrl, host, { workers: 4, gapMs: 20, maxRequests: 200_000 });
  const reps: Repetition[] = [];
  let overall: { failed: number; requests: number; statuses: Record<string, number> } | undefined;
  try {
    const servesOne = () => load.samples().length >= 8 && load.samples().slice(-8).every((s) => s.status === 200 && s.version === '1');
    await until('version 1 served through the gateway', () => Promise.resolve(servesOne()), 60_000);
    const tServing = performance.now();
    let stable = '1';
    for (let r = 1; r <= repetitions; r++) {
      // Promotion.
      const next = String(Number(stable) + 1);
      const t0 = performance.now();
      await driver.change(next);
      let firstWeight = 0;
      const tFirst = await until(`${driver.controller}: first weight of ${next}`, async () => ((firstWeight = (await canary()) ?? 0) > 0));
      const tSecond = await until(`${driver.controller}: second weight of ${next}`, async () => ((await canary()) ?? 0) >= STEP_WEIGHTS[1]);
      const tPromoted = await until(`${driver.controller}: ${next} promoted`, async () => (await driver.promoted(next)) && (await canary()) === 0);
      const promotion = load.failedBetween(t0, tPromoted);
      const firstNewReply = load.samples().find((s) => s.at >= t0 && s.version === next)?.at ?? Number.NaN;
      stable = next;

      // Abort: a new version, its first weight, then the controller's abort.
      const doomed = String(Number(stable) + 1);
      await driver.change(doomed);
      await until(`${driver.controller}: first weight of ${doomed}`, async () => ((await canary()) ?? 0) > 0);
      const t1 = performance.now();
      await driver.abort();
      const tStable = await until(`${driver.controller}: abort of ${doomed} to 100% stable`, async () => (await canary()) === 0);
      const tAborted = await until(`${driver.controller}: abort of ${doomed} done`, () => driver.aborted());
      await sleep(2000);
      const abort = load.failedBetween(t1, Math.max(tStable, tAborted) + 2000);
      const lastAbortedReply = load.samples().findLast((s) => s.at >= t1 && s.version === doomed)?.at ?? t1;
      // The aborted version stays in the spec, as after a real abort: the next change starts from it.
      stable = doomed;
      const rep: Repetition = {
        toFirstWeightSeconds: round((tFirst - t0) / 1000),
        toFirstNewReplySeconds: round((firstNewReply - t0) / 1000),
        firstWeight,
        stepSeconds: round((tSecond - tFirst) / 1000),
        toPromotedSeconds: round((tPromoted - t0) / 1000),
        abortToStableSeconds: round((tStable - t1) / 1000),
        abortToLastAbortedReplySeconds: round((lastAbortedReply - t1) / 1000),
        promotion,
        abort,
      };
      reps.push(rep);
      log(
        `rollout-peers: ${driver.controller} ${r}/${repetitions}: first weight ${rep.toFirstWeightSeconds} s (${firstWeight}%), first reply of ${next} ${rep.toFirstNewReplySeconds} s, step ${rep.stepSeconds} s, promoted ${rep.toPromotedSeconds} s, abort ${rep.abortToStableSeconds} s (last reply of ${doomed} ${rep.abortToLastAbortedReplySeconds} s); failed ${promotion.failed}/${promotion.requests} during promotion, ${abort.failed}/${abort.requests} during abort`,
      );
    }
    await sleep(TAIL_MS);
    const all = load.failedBetween(tServing, performance.now());
    overall = { ...all, statuses: Object.fromEntries(Object.entries(all.statuses).filter(([status]) => status !== '200')) };
    log(`rollout-peers: ${driver.controller}: failed ${overall.failed}/${overall.requests} over the whole run ${JSON.stringify(overall.statuses)}`);
  } finally {
    await load.stop();
  }
  const sum = (pick: (r: Repetition) => number) => reps.reduce((n, r) => n + pick(r), 0);
  return {
    controller: driver.controller,
    version: controllerVersion,
    how: driver.how,
    repetitions: reps,
    toFirstWeightSeconds: summarize(reps.map((r) => r.toFirstWeightSeconds)),
    toFirstNewReplySeconds: summarize(reps.map((r) => r.toFirstNewReplySeconds)),
    stepSeconds: summarize(reps.map((r) => r.stepSeconds)),
    toPromotedSeconds: summarize(reps.map((r) => r.toPromotedSeconds)),
    abortToStableSeconds: summarize(reps.map((r) => r.abortToStableSeconds)),
    abortToLastAbortedReplySeconds: summarize(reps.map((r) => r.abortToLastAbortedReplySeconds)),
    failedDuringPromotion: sum((r) => r.promotion.failed),
    requestsDuringPromotion: sum((r) => r.promotion.requests),
    failedDuringAbort: sum((r) => r.abort.failed),
    requestsDuringAbort: sum((r) => r.abort.requests),
    ...(overall !== undefined
      ? {
          failedOverall: overall.failed,
          requestsOverall: overall.requests,
          failedOverallStatuses: overall.statuses,
        }
      : {}),
  };
}

const post = (client: ApiClient, path: string, body: Record<string, unknown>) => client.request(HttpMethod.POST, path, { body });
const mergePatch = (client: ApiClient, path: string, body: unknown) => client.request(HttpMethod.PATCH, path, { body, contentType: 'application/merge-patch+json' });

interface Conditioned {
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string }[];
    canary?: { phase?: string; version?: string };
    stable?: { version?: string };
    observedGeneration?: number | string;
  };
  metadata?: { generation?: number };
}

async function modelshipDriver(cp: ControlPlane, client: ApiClient, namespace: string, host: string, gateway: GatewayRef): Promise<Driver> {
  const operator = await startOperator({ kubeconfig: cp.kubeconfigPath, dir: cp.dir, name: 'modelship' });
  const path = `/apis/modelship.io/v1alpha1/namespaces/${namespace}/modeldeployments/${MODEL}`;
  const get = () => client.request<Conditioned>(HttpMethod.GET, path);
  return {
    controller: 'modelship',
    how: 'ModelDeployment, rollout.traffic.provider traefik (its TraefikService model-split and HTTPRoute); abort by the modelship.io/abort annotation',
    traefikService: `${MODEL}-split`,
    async setup(version) {
      await post(client, `/apis/modelship.io/v1alpha1/namespaces/${namespace}/modeldeployments`, modelshipModel(namespace, host, gateway, version));
      await until('modelship Ready', async () => {
        const md = await get();
        return md.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && md.status.stable?.version === version;
      });
    },
    change: (version) => mergePatch(client, path, { spec: { model: { version, uri: `s3://models/${MODEL}/${version}` } } }).then(() => undefined),
    abort: () => mergePatch(client, path, { metadata: { annotations: { 'modelship.io/abort': `bench-${Date.now()}` } } }).then(() => undefined),
    async promoted(version) {
      const md = await get();
      return md.status?.stable?.version === version && md.status.canary === undefined;
    },
    async aborted() {
      return (await get()).status?.canary?.phase === 'Aborted';
    },
    stop: () => operator.stop(),
  };
}

/** Answers Flagger's rollback webhook: 200 (roll back) once aborted, 403 before. */
async function rollbackHook(): Promise<{ url: string; set(abort: boolean): void; stop(): Promise<void> }> {
  let abort = false;
  const server: Server = createServer((req, res) => {
    req.resume();
    res.writeHead(abort ? 200 : 403).end(abort ? 'roll back' : 'carry on');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/`, set: (a) => void (abort = a), stop: () => new Promise((r) => server.close(() => r())) };
}

async function flaggerDriver(cp: ControlPlane, client: ApiClient, namespace: string, host: string, gateway: GatewayRef, binary: string): Promise<Driver> {
  await installPeerCrds('flagger', cp.toolsDir, cp.kubeconfigPath);
  const hook = await rollbackHook();
  const proc = await startPeer('flagger', binary, cp.kubeconfigPath, cp.dir);
  const canaryPath = `/apis/flagger.app/v1beta1/namespaces/${namespace}/canaries/${MODEL}`;
  const deployment = `/apis/apps/v1/namespaces/${namespace}/deployments/${MODEL}`;
  const phase = async () => (await client.request<Conditioned>(HttpMethod.GET, canaryPath)).status?.phase;
  const primaryVersion = async () =>
    (await client.request<{ spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }>(HttpMethod.GET, `/apis/apps/v1/namespaces/${namespace}/deployments/${MODEL}-primary`)).spec?.template?.metadata?.labels?.['app.kubernetes.io/version'];
  return {
    controller: 'flagger',
    how: 'Canary (provider traefik) over a Deployment; analysis: interval 10 s, stepWeight 25, maxWeight 50, no metrics; abort by a rollback webhook that starts answering 200',
    traefikService: MODEL,
    async setup(version) {
      await post(client, `/apis/apps/v1/namespaces/${namespace}/deployments`, flaggerTarget(namespace, version));
      await post(client, `/apis/flagger.app/v1beta1/namespaces/${namespace}/canaries`, flaggerCanary(namespace, hook.url));
      await post(client, `/apis/gateway.networking.k8s.io/v1/namespaces/${namespace}/httproutes`, routeTo(namespace, host, gateway, MODEL));
      await until('Flagger initialized', async () => (await phase()) === 'Initialized');
    },
    async change(version) {
      hook.set(false);
      await mergePatch(client, deployment, { spec: { template: { metadata: { labels: { 'app.kubernetes.io/version': version } } } } });
    },
    abort: () => Promise.resolve(hook.set(true)),
    async promoted(version) {
      return (await phase()) === 'Succeeded' && (await primaryVersion()) === version;
    },
    async aborted() {
      return (await phase()) === 'Failed';
    },
    async stop() {
      await proc.stop();
      await hook.stop();
    },
  };
}

async function argoDriver(cp: ControlPlane, client: ApiClient, namespace: string, host: string, gateway: GatewayRef, binary: string): Promise<Driver> {
  await installPeerCrds('argo-rollouts', cp.toolsDir, cp.kubeconfigPath);
  const proc = await startPeer('argo-rollouts', binary, cp.kubeconfigPath, cp.dir);
  const rolloutPath = `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts/${MODEL}`;
  type Rollout = Conditioned & { spec?: { template?: { metadata?: { labels?: Record<string, string> } } }; status?: { stableRS?: string; currentPodHash?: string; abort?: boolean } };
  const get = () => client.request<Rollout>(HttpMethod.GET, rolloutPath);
  return {
    controller: 'argo-rollouts',
    how: 'Rollout with canary steps (setWeight 25, pause 10 s, setWeight 50, pause 10 s) and the built-in Traefik router (weightedTraefikServiceName); abort by status.abort, as `kubectl argo rollouts abort` does',
    traefikService: MODEL,
    async setup(version) {
      for (const svc of argoServices(namespace)) await post(client, `/api/v1/namespaces/${namespace}/services`, svc);
      await post(client, `/apis/traefik.io/v1alpha1/namespaces/${namespace}/traefikservices`, argoTraefikService(namespace));
      await post(client, `/apis/gateway.networking.k8s.io/v1/namespaces/${namespace}/httproutes`, routeTo(namespace, host, gateway, MODEL));
      await post(client, `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts`, argoRollout(namespace, version));
      await until('Argo Rollouts Healthy', async () => (await get()).status?.phase === 'Healthy');
    },
    change: (version) => mergePatch(client, rolloutPath, { spec: { template: { metadata: { labels: { 'app.kubernetes.io/version': version } } } } }).then(() => undefined),
    abort: () => mergePatch(client, `${rolloutPath}/status`, { status: { abort: true } }).then(() => undefined),
    async promoted(version) {
      const ro = await get();
      return ro.status?.phase === 'Healthy' && ro.status.stableRS === ro.status.currentPodHash && ro.spec?.template?.metadata?.labels?.['app.kubernetes.io/version'] === version;
    },
    async aborted() {
      const ro = await get();
      return ro.status?.abort === true && ro.status.phase === 'Degraded';
    },
    stop: () => proc.stop(),
  };
}
