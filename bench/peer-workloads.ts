// The same model behind each rollout controller of bench/rollout-peers.ts: simulator pods (labelled with
// modelship.io/model-deployment, so the pod simulator serves them and gates their readiness), 2 replicas, the
// same step plan (25%, 10 s, 50%, 10 s, then all of it), and a host of its own on the data path's Gateway whose
// HTTPRoute leads to a weighted TraefikService. Pure object builders and readers: no I/O.
import type { GatewayRef } from '../test/cluster/traffic.ts';

export const MODEL = 'model';
export const REPLICAS = 2;
/** The step plan: first weight, pause, second weight, pause, then promotion. */
export const STEP_WEIGHTS = [25, 50] as const;
/** Flagger's analysis interval is at least 10 s (Canary.GetAnalysisInterval raises shorter ones), so every controller pauses 10 s. */
export const PAUSE_SECONDS = 10;

type Json = Record<string, unknown>;

const podLabels = (version: string): Record<string, string> => ({ app: MODEL, 'modelship.io/model-deployment': MODEL, 'app.kubernetes.io/version': version });

function podTemplate(version: string): Json {
  return {
    metadata: { labels: podLabels(version) },
    spec: { containers: [{ name: 'server', image: 'docker.io/seldonio/mlserver:1.7.1', ports: [{ name: 'http', containerPort: 8080 }] }] },
  };
}

/** An HTTPRoute for `host` on the Gateway, to a TraefikService. */
export function routeTo(namespace: string, host: string, gateway: GatewayRef, traefikService: string): Json {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: MODEL, namespace },
    spec: {
      parentRefs: [{ name: gateway.name, namespace: gateway.namespace, sectionName: gateway.sectionName }],
      hostnames: [host],
      rules: [{ backendRefs: [{ group: 'traefik.io', kind: 'TraefikService', name: traefikService }] }],
    },
  };
}

/** modelship: the ModelDeployment with provider traefik (it writes its TraefikService `model-split` and the HTTPRoute). */
export function modelshipModel(namespace: string, host: string, gateway: GatewayRef, version: string): Json {
  return {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name: MODEL, namespace },
    spec: {
      model: { name: MODEL, version, uri: `s3://models/${MODEL}/${version}`, format: 'sklearn' },
      runtime: { preset: 'mlserver' },
      replicas: REPLICAS,
      rollout: {
        strategy: 'canary',
        steps: [{ weight: STEP_WEIGHTS[0] }, { pause: { duration: `${PAUSE_SECONDS}s` } }, { weight: STEP_WEIGHTS[1] }, { pause: { duration: `${PAUSE_SECONDS}s` } }],
        scaleDownDelaySeconds: 0,
        traffic: { provider: 'traefik', gateway: { name: gateway.name, namespace: gateway.namespace, sectionName: gateway.sectionName }, hosts: [host] },
      },
    },
  };
}

/** The Deployment Flagger's Canary targets, with its pods' version label. */
export function flaggerTarget(namespace: string, version: string): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: MODEL, namespace, labels: { app: MODEL } },
    spec: { replicas: REPLICAS, selector: { matchLabels: { app: MODEL } }, template: podTemplate(version) },
  };
}

/**
 * Flagger's Canary: provider traefik, stepWeight 25 up to maxWeight 50, one step per 10 s interval, no metrics
 * (so no metrics server is queried), and a rollback webhook: Flagger rolls back when it answers 2xx, which is
 * how a manual abort is asked of Flagger.
 */
export function flaggerCanary(namespace: string, rollbackUrl: string): Json {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: MODEL, namespace },
    spec: {
      provider: 'traefik',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: MODEL },
      progressDeadlineSeconds: 120,
      service: { port: 80, targetPort: 8080 },
      analysis: {
        interval: `${PAUSE_SECONDS}s`,
        threshold: 1,
        stepWeight: STEP_WEIGHTS[0],
        maxWeight: STEP_WEIGHTS[1],
        metrics: [],
        webhooks: [{ name: 'abort', type: 'rollback', url: rollbackUrl, timeout: '2s' }],
      },
    },
  };
}

/** Argo Rollouts' Services: its controller adds the pod-template-hash selector to each. */
export function argoServices(namespace: string): Json[] {
  return ['stable', 'canary'].map((variant) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `${MODEL}-${variant}`, namespace },
    spec: { selector: { app: MODEL }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  }));
}

/** The weighted TraefikService Argo Rollouts sets the weights of (spec.weighted.services). */
export function argoTraefikService(namespace: string): Json {
  return {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TraefikService',
    metadata: { name: MODEL, namespace },
    spec: {
      weighted: {
        services: [
          { name: `${MODEL}-stable`, port: 80, weight: 100 },
          { name: `${MODEL}-canary`, port: 80, weight: 0 },
        ],
      },
    },
  };
}

export function argoRollout(namespace: string, version: string): Json {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: MODEL, namespace },
    spec: {
      replicas: REPLICAS,
      selector: { matchLabels: { app: MODEL } },
      template: podTemplate(version),
      strategy: {
        canary: {
          stableService: `${MODEL}-stable`,
          canaryService: `${MODEL}-canary`,
          scaleDownDelaySeconds: 0,
          trafficRouting: { traefik: { weightedTraefikServiceName: MODEL } },
          steps: [
            { setWeight: STEP_WEIGHTS[0] },
            { pause: { duration: `${PAUSE_SECONDS}s` } },
            { setWeight: STEP_WEIGHTS[1] },
            { pause: { duration: `${PAUSE_SECONDS}s` } },
          ],
        },
      },
    },
  };
}

interface WeightedService {
  name?: string;
  weight?: number;
}

/**
 * The canary's share in percent of a weighted TraefikService: the weight of the service named `*-canary` over
 * the sum (Flagger, Argo Rollouts and modelship all name the canary's Service so). 0 without a canary entry.
 */
export function canaryPercent(traefikService: unknown): number | undefined {
  const services = (traefikService as { spec?: { weighted?: { services?: WeightedService[] } } } | undefined)?.spec?.weighted?.services;
  if (!services) return undefined;
  const sum = services.reduce((n, s) => n + (s.weight ?? 1), 0);
  const canary = services.filter((s) => s.name?.endsWith('-canary')).reduce((n, s) => n + (s.weight ?? 1), 0);
  return sum === 0 ? 0 : Math.round((100 * canary) / sum);
}
