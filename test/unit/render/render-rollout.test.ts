// Rendering a rollout plan: both variants, their Services, the stable Service and the router of
// each provider. Golden files hold a canary at 10% per provider (with cohort match and mirror for
// the routers); regenerate with `UPDATE_GOLDEN=1 npm run test:unit` after an intended change.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import type { ModelDeployment, TrafficProvider } from '../../../src/api/index.ts';
import {
  CHILD_KINDS,
  LABEL_REVISION,
  LABEL_VARIANT,
  OPTIONAL_CHILD_KINDS,
  cookieRegex,
  defaultRenderConfig,
  renderModelDeployment,
} from '../../../src/render/index.ts';
import type { ChildObject, RenderConfig, ServiceObject } from '../../../src/render/index.ts';
import { DEFAULT_ISTIO_POLICY } from '../../../src/traffic/istio/istio-policy.ts';
import { splitReplicas, templateHash } from '../../../src/rollout/index.ts';
import type { RolloutPlan, VariantPlan } from '../../../src/rollout/index.ts';
import { toYamlStream } from '../../../src/yaml.ts';
import { validManifest, withChanges } from '../../fixtures/manifests.ts';
import type { Json } from '../../fixtures/manifests.ts';
import { parsed } from './render-helpers.ts';

const GOLDEN_DIR = new URL('./golden/', import.meta.url);
const update = process.env.UPDATE_GOLDEN === '1';

const MATCH: Json[] = [{ headers: { 'X-Model-Variant': 'canary' } }, { cookie: { name: 'cohort', value: 'b.1' } }];

function traffic(provider: TrafficProvider, extras = true): Json {
  if (provider === 'replicas') return { provider };
  const routed: Record<string, Json> = { provider, hosts: ['fraud.example.com'] };
  if (provider === 'gateway-api' || provider === 'traefik') routed.gateway = { name: 'ml-gateway', namespace: 'gateways', sectionName: 'http' };
  if (extras) {
    routed.match = MATCH;
    routed.mirror = { percent: 10 };
  }
  return routed;
}

/** The ModelDeployment with version 8 in its spec (the canary) and a rollout through `provider`. */
function md(provider: TrafficProvider, changes: Record<string, Json | undefined> = {}): ModelDeployment {
  return parsed(
    withChanges(validManifest(), {
      'metadata.namespace': 'risk',
      'spec.model.version': '8',
      'spec.model.uri': 's3://models/fraud/8',
      'spec.replicas': 10,
      'spec.rollout': { strategy: 'canary', steps: [{ weight: 10 }, { pause: {} }], traffic: traffic(provider) },
      ...changes,
    }),
  );
}

function variant(m: ModelDeployment, revision: number, version: string): VariantPlan {
  const model = { ...m.spec.model, version, uri: `s3://models/fraud/${version}` };
  return { revision, version, template: templateHash(model, m.spec.runtime), model, runtime: m.spec.runtime };
}

/** Stable version 7 (revision 1) and a canary of version 8 (revision 2) at `weight`. */
function canaryPlan(m: ModelDeployment, weight: number, serving = true): RolloutPlan {
  const provider = m.spec.rollout?.traffic?.provider ?? 'replicas';
  const capacity = m.spec.autoscaling
    ? { minReplicas: m.spec.autoscaling.minReplicas, maxReplicas: m.spec.autoscaling.maxReplicas }
    : { replicas: m.spec.replicas };
  const split = splitReplicas(provider, capacity, weight);
  const plan: RolloutPlan = {
    provider,
    stable: variant(m, 1, '7'),
    canary: variant(m, 2, '8'),
    replicas: { stable: split.stable, canary: split.canary },
    weights: { stable: 100 - split.canaryWeight, canary: split.canaryWeight, exact: split.exact },
  };
  const t = m.spec.rollout?.traffic;
  if (serving && t?.mirror) plan.mirrorPercent = t.mirror.percent;
  if (serving && t?.match) plan.cohortMatch = t.match;
  return plan;
}

function steadyPlan(m: ModelDeployment): RolloutPlan {
  const provider = m.spec.rollout?.traffic?.provider ?? 'replicas';
  return {
    provider,
    stable: variant(m, 1, m.spec.model.version),
    replicas: { stable: { replicas: m.spec.replicas } },
    weights: { stable: 100, canary: 0, exact: true },
  };
}

/** The platform allows the example hosts and the shared gateway these tests route through. */
const CONFIG: RenderConfig = {
  ...defaultRenderConfig,
  traffic: { istio: { ...DEFAULT_ISTIO_POLICY, allowedHosts: ['*.example.com'], allowedGateways: ['istio-system/public'] } },
};

function render(m: ModelDeployment, plan?: RolloutPlan): ChildObject[] {
  const result = renderModelDeployment(m, CONFIG, plan);
  if (!result.ok) throw new Error(result.error.message);
  return result.objects;
}

function names(objects: ChildObject[]): string[] {
  return objects.map((o) => `${o.kind}/${o.metadata.name}`);
}

function find<K extends ChildObject['kind']>(objects: ChildObject[], kind: K, name: string): Extract<ChildObject, { kind: K }> {
  const o = objects.find((x): x is Extract<ChildObject, { kind: K }> => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `no ${kind}/${name} in ${names(objects).join(', ')}`);
  return o;
}

for (const provider of ['replicas', 'gateway-api', 'istio', 'traefik'] as const) {
  void test(`golden: a canary at 10% with provider ${provider}`, () => {
    const actual = toYamlStream(render(md(provider), canaryPlan(md(provider), 10)));
    const file = new URL(`canary-${provider}.yaml`, GOLDEN_DIR);
    if (update) {
      writeFileSync(file, actual);
      return;
    }
    assert.ok(existsSync(file), `missing golden file canary-${provider}.yaml: run UPDATE_GOLDEN=1 npm run test:unit`);
    assert.equal(actual, readFileSync(file, 'utf8'), `canary-${provider}.yaml differs: if intended, run UPDATE_GOLDEN=1 npm run test:unit`);
  });
}

void test('a canary: variant Deployments, Services <name>, <name>-stable, <name>-canary, HPA/PDB per variant, then the router', () => {
  const m = md('gateway-api');
  assert.deepEqual(names(render(m, canaryPlan(m, 10))), [
    'Deployment/fraud-stable',
    'Deployment/fraud-canary',
    'Service/fraud',
    'Service/fraud-stable',
    'Service/fraud-canary',
    'PodDisruptionBudget/fraud-stable',
    'HTTPRoute/fraud',
  ]);
  const withHpa = md('istio', { 'spec.autoscaling': { minReplicas: 2, maxReplicas: 10 } });
  assert.deepEqual(names(render(withHpa, canaryPlan(withHpa, 50))), [
    'Deployment/fraud-stable',
    'Deployment/fraud-canary',
    'Service/fraud',
    'Service/fraud-stable',
    'Service/fraud-canary',
    'HorizontalPodAutoscaler/fraud-stable',
    'HorizontalPodAutoscaler/fraud-canary',
    'PodDisruptionBudget/fraud-stable',
    'PodDisruptionBudget/fraud-canary',
    'VirtualService/fraud',
  ]);
});

void test('each variant renders the model of the plan, with variant and revision labels on objects and pods', () => {
  const m = md('replicas');
  const objects = render(m, canaryPlan(m, 10));
  for (const [v, revision, version] of [['stable', '1', '7'], ['canary', '2', '8']] as const) {
    const d = find(objects, 'Deployment', `fraud-${v}`);
    assert.equal(d.metadata.labels[LABEL_VARIANT], v);
    assert.equal(d.metadata.labels[LABEL_REVISION], revision);
    assert.equal(d.metadata.labels['app.kubernetes.io/version'], version);
    assert.equal(d.spec?.template.metadata?.labels?.[LABEL_REVISION], revision);
    assert.equal(d.spec?.template.metadata?.labels?.[LABEL_VARIANT], v);
    assert.deepEqual(d.spec?.selector.matchLabels, { 'modelship.io/model-deployment': 'fraud', [LABEL_VARIANT]: v }, 'selector unchanged');
    const fetcher = d.spec?.template.spec?.initContainers?.[0];
    assert.deepEqual(fetcher?.args, ['fetch', '--termination-log', '/dev/termination-log', `s3://models/fraud/${version}`, '/mnt/models']);
  }
  assert.equal(find(objects, 'Deployment', 'fraud-stable').spec?.replicas, 9);
  assert.equal(find(objects, 'Deployment', 'fraud-canary').spec?.replicas, 1);
});

void test('the stable Service selects both variants with replicas, only stable with a router', () => {
  const selectorOf = (provider: TrafficProvider) => {
    const m = md(provider);
    return find(render(m, canaryPlan(m, 10)), 'Service', 'fraud').spec?.selector;
  };
  assert.deepEqual(selectorOf('replicas'), { 'modelship.io/model-deployment': 'fraud', 'app.kubernetes.io/component': 'model-server' });
  for (const provider of ['gateway-api', 'istio', 'traefik'] as const) {
    assert.deepEqual(selectorOf(provider), { 'modelship.io/model-deployment': 'fraud', [LABEL_VARIANT]: 'stable' });
  }
  const m = md('istio');
  const objects = render(m, canaryPlan(m, 10));
  assert.deepEqual(find(objects, 'Service', 'fraud-canary').spec?.selector, { 'modelship.io/model-deployment': 'fraud', [LABEL_VARIANT]: 'canary' });
});

void test('HTTPRoute: parentRef with sectionName, hostnames, cohort rule to the canary, weighted split, percent mirror', () => {
  const m = md('gateway-api');
  const route = find(render(m, canaryPlan(m, 10)), 'HTTPRoute', 'fraud');
  assert.equal(route.apiVersion, 'gateway.networking.k8s.io/v1');
  assert.equal(route.metadata.namespace, 'risk');
  assert.deepEqual(route.spec.parentRefs, [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ml-gateway', namespace: 'gateways', sectionName: 'http' }]);
  assert.deepEqual(route.spec.hostnames, ['fraud.example.com']);
  assert.deepEqual(route.spec.rules, [
    {
      matches: [
        { headers: [{ type: 'Exact', name: 'X-Model-Variant', value: 'canary' }] },
        { headers: [{ type: 'RegularExpression', name: 'Cookie', value: '^(.*;\\s*)?cohort=b\\.1(;.*)?$' }] },
      ],
      backendRefs: [{ name: 'fraud-canary', port: 80 }],
    },
    {
      backendRefs: [
        { name: 'fraud-stable', port: 80, weight: 90 },
        { name: 'fraud-canary', port: 80, weight: 10 },
      ],
      filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'fraud-canary', port: 80 }, percent: 10 } }],
    },
  ]);
});

void test('traefik: a weighted TraefikService <name>-split, a mirroring TraefikService <name>, an HTTPRoute to it without RequestMirror', () => {
  const m = md('traefik');
  const objects = render(m, canaryPlan(m, 10));
  assert.deepEqual(names(objects).slice(-3), ['TraefikService/fraud-split', 'TraefikService/fraud', 'HTTPRoute/fraud']);
  const split = find(objects, 'TraefikService', 'fraud-split');
  assert.equal(split.apiVersion, 'traefik.io/v1alpha1');
  assert.equal(split.metadata.namespace, 'risk');
  assert.deepEqual(split.spec, {
    weighted: {
      services: [
        { name: 'fraud-stable', port: 80, weight: 90 },
        { name: 'fraud-canary', port: 80, weight: 10 },
      ],
    },
  });
  assert.deepEqual(find(objects, 'TraefikService', 'fraud').spec, {
    mirroring: { name: 'fraud-split', kind: 'TraefikService', mirrors: [{ name: 'fraud-canary', port: 80, percent: 10 }] },
  });
  const route = find(objects, 'HTTPRoute', 'fraud');
  assert.deepEqual(route.spec.parentRefs, [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'ml-gateway', namespace: 'gateways', sectionName: 'http' }]);
  assert.deepEqual(route.spec.hostnames, ['fraud.example.com']);
  assert.deepEqual(route.spec.rules, [
    {
      matches: [
        { headers: [{ type: 'Exact', name: 'X-Model-Variant', value: 'canary' }] },
        { headers: [{ type: 'RegularExpression', name: 'Cookie', value: '^(.*;\\s*)?cohort=b\\.1(;.*)?$' }] },
      ],
      backendRefs: [{ name: 'fraud-canary', port: 80 }],
    },
    { backendRefs: [{ group: 'traefik.io', kind: 'TraefikService', name: 'fraud' }] },
  ]);
  // Without mirroring, and in steady state: `<name>` is a weighted TraefikService over `<name>-split`.
  const plain = md('traefik', { 'spec.rollout.traffic': traffic('traefik', false) });
  const front = { weighted: { services: [{ name: 'fraud-split', kind: 'TraefikService', weight: 1 }] } };
  assert.deepEqual(find(render(plain, canaryPlan(plain, 10)), 'TraefikService', 'fraud').spec, front);
  const steady = md('traefik', { 'spec.model.version': '7', 'spec.model.uri': 's3://models/fraud/7' });
  const steadyObjects = render(steady, steadyPlan(steady));
  assert.ok(!names(steadyObjects).some((n) => n.includes('canary')), names(steadyObjects).join());
  assert.deepEqual(find(steadyObjects, 'TraefikService', 'fraud-split').spec, { weighted: { services: [{ name: 'fraud-stable', port: 80, weight: 100 }] } });
  assert.deepEqual(find(steadyObjects, 'TraefikService', 'fraud').spec, front);
  assert.deepEqual(find(steadyObjects, 'HTTPRoute', 'fraud').spec.rules, [{ backendRefs: [{ group: 'traefik.io', kind: 'TraefikService', name: 'fraud' }] }]);
});

void test('VirtualService: hosts, cohort route first (lower-case header names, cookie regex), weighted route with mirror', () => {
  const m = md('istio');
  const vs = find(render(m, canaryPlan(m, 10)), 'VirtualService', 'fraud');
  assert.equal(vs.apiVersion, 'networking.istio.io/v1');
  assert.deepEqual(vs.spec.hosts, ['fraud.example.com']);
  assert.equal(vs.spec.gateways, undefined);
  assert.deepEqual(vs.spec.http, [
    {
      name: 'cohort',
      match: [{ headers: { 'x-model-variant': { exact: 'canary' } } }, { headers: { cookie: { regex: cookieRegex('cohort', 'b.1') } } }],
      route: [{ destination: { host: 'fraud-canary', port: { number: 80 } } }],
    },
    {
      name: 'split',
      route: [
        { destination: { host: 'fraud-stable', port: { number: 80 } }, weight: 90 },
        { destination: { host: 'fraud-canary', port: { number: 80 } }, weight: 10 },
      ],
      mirror: { host: 'fraud-canary', port: { number: 80 } },
      mirrorPercentage: { value: 10 },
    },
  ]);
  // Without hosts: the stable Service; with a gateway: bound to it and to the mesh.
  const bare = md('istio', { 'spec.rollout.traffic': { provider: 'istio', gateway: { name: 'public', namespace: 'istio-system' } } });
  const vs2 = find(render(bare, canaryPlan(bare, 10)), 'VirtualService', 'fraud');
  assert.deepEqual(vs2.spec.hosts, ['fraud']);
  assert.deepEqual(vs2.spec.gateways, ['istio-system/public', 'mesh']);
  assert.equal(vs2.spec.http.length, 1);
  assert.deepEqual(vs2.spec.exportTo, ['.']);
});

void test('without the platform allowing them, a foreign host or gateway renders nothing: the error names the field', () => {
  const m = md('istio');
  const host = renderModelDeployment(m, defaultRenderConfig, canaryPlan(m, 10));
  assert.ok(!host.ok && host.error.code === 'HostNotAllowed' && host.error.field === 'spec.rollout.traffic.hosts[0]', JSON.stringify(host));
  const gw = md('istio', { 'spec.rollout.traffic': { provider: 'istio', gateway: { name: 'public', namespace: 'istio-system' } } });
  const gateway = renderModelDeployment(gw, defaultRenderConfig, canaryPlan(gw, 10));
  assert.ok(!gateway.ok && gateway.error.code === 'GatewayNotAllowed', JSON.stringify(gateway));
});

void test('the cookie regex matches the cookie wherever it is in the header, and nothing else', () => {
  const re = new RegExp(cookieRegex('cohort', 'b.1'));
  for (const header of ['cohort=b.1', 'a=1; cohort=b.1', 'cohort=b.1; a=1', 'a=1;cohort=b.1;c=2']) assert.ok(re.test(header), header);
  for (const header of ['cohort=b', 'cohort=bx1', 'xcohort=b.1', 'cohort=b.12', 'a=cohort=b.1']) assert.ok(!re.test(header), header);
});

void test('a detached canary (leaving: drained or aborted) keeps its Deployment and Service; no router object names it', () => {
  for (const provider of ['gateway-api', 'istio', 'traefik'] as const) {
    const m = md(provider);
    const plan: RolloutPlan = { ...canaryPlan(m, 0, false), detached: true };
    const objects = render(m, plan);
    assert.ok(names(objects).includes('Deployment/fraud-canary'), provider);
    assert.ok(names(objects).includes('Service/fraud-canary'), provider);
    const routers = objects.filter((o) => ['HTTPRoute', 'VirtualService', 'TraefikService'].includes(o.kind));
    assert.ok(routers.length > 0, provider);
    assert.ok(!JSON.stringify(routers).includes('fraud-canary'), `${provider}: ${JSON.stringify(routers)}`);
    // Not detached, the same plan keeps the canary in the router at weight 0.
    const attached = render(m, canaryPlan(m, 0, false)).filter((o) => ['HTTPRoute', 'VirtualService', 'TraefikService'].includes(o.kind));
    assert.ok(JSON.stringify(attached).includes('fraud-canary'), provider);
  }
});

void test('steady state with a router: one backend, no cohort rule, no mirror; no canary objects', () => {
  for (const provider of ['gateway-api', 'istio'] as const) {
    const m = md(provider, { 'spec.model.version': '7', 'spec.model.uri': 's3://models/fraud/7' });
    const objects = render(m, steadyPlan(m));
    assert.ok(!names(objects).some((n) => n.includes('canary')), names(objects).join());
    if (provider === 'gateway-api') {
      const route = find(objects, 'HTTPRoute', 'fraud');
      assert.deepEqual(route.spec.rules, [{ backendRefs: [{ name: 'fraud-stable', port: 80 }] }]);
    } else {
      const vs = find(objects, 'VirtualService', 'fraud');
      assert.deepEqual(vs.spec.http, [{ name: 'split', route: [{ destination: { host: 'fraud-stable', port: { number: 80 } } }] }]);
    }
  }
});

void test('the replicas provider has no router object; a plan adds the per-variant Service and revision labels', () => {
  const m = md('replicas', { 'spec.model.version': '7', 'spec.model.uri': 's3://models/fraud/7' });
  const objects = render(m, steadyPlan(m));
  assert.deepEqual(names(objects), ['Deployment/fraud-stable', 'Service/fraud', 'Service/fraud-stable', 'PodDisruptionBudget/fraud-stable']);
  // Without a plan: exactly what was rendered before rollouts existed.
  assert.deepEqual(names(render(m)), ['Deployment/fraud-stable', 'Service/fraud', 'PodDisruptionBudget/fraud-stable']);
  assert.equal(find(render(m), 'Deployment', 'fraud-stable').metadata.labels[LABEL_REVISION], undefined);
});

void test('a variant at 0 pods under autoscaling gets replicas 0 and no HPA', () => {
  const m = md('replicas', { 'spec.autoscaling': { minReplicas: 2, maxReplicas: 6 } });
  const plan = canaryPlan(m, 0);
  const objects = render(m, plan);
  assert.equal(find(objects, 'Deployment', 'fraud-canary').spec?.replicas, 0);
  assert.ok(!names(objects).includes('HorizontalPodAutoscaler/fraud-canary'));
  assert.equal(find(objects, 'Deployment', 'fraud-stable').spec?.replicas, undefined, 'stable replicas left to its HPA');
  const hpa = find(objects, 'HorizontalPodAutoscaler', 'fraud-stable');
  assert.equal(hpa.spec.minReplicas, 2);
  assert.equal(hpa.spec.maxReplicas, 6);
});

void test('a stable revision from history that no longer renders names its revision in the error', () => {
  const m = md('istio');
  const plan = canaryPlan(m, 10);
  plan.stable = { ...plan.stable, runtime: { ...plan.stable.runtime, preset: 'triton' } };
  const result = renderModelDeployment(m, undefined, plan);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.error.code, 'UnsupportedFormat');
  assert.match(result.error.message, /stable variant \(revision 1, version 7\)/);
});

void test('HTTPRoute, VirtualService and TraefikService are child kinds (pruned when the provider changes) and optional ones', () => {
  const kinds = CHILD_KINDS.map((k) => `${k.apiVersion}/${k.kind}`);
  assert.ok(kinds.includes('gateway.networking.k8s.io/v1/HTTPRoute'));
  assert.ok(kinds.includes('networking.istio.io/v1/VirtualService'));
  assert.ok(kinds.includes('traefik.io/v1alpha1/TraefikService'));
  assert.deepEqual(
    OPTIONAL_CHILD_KINDS.map((k) => [k.kind, k.crd, k.provider]),
    [
      ['HTTPRoute', 'httproutes.gateway.networking.k8s.io', 'gateway-api'],
      ['VirtualService', 'virtualservices.networking.istio.io', 'istio'],
      ['TraefikService', 'traefikservices.traefik.io', 'traefik'],
    ],
  );
});

// --- properties ---------------------------------------------------------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const planCase = fc.record({
  name: fc.constantFrom('fraud', 'a', 'a-model-deployment-name-of-forty-two-chars'),
  provider: fc.constantFrom('replicas' as const, 'gateway-api' as const, 'istio' as const),
  weight: fc.integer({ min: 0, max: 100 }),
  replicas: fc.integer({ min: 0, max: 20 }),
  autoscaling: fc.option(
    fc.integer({ min: 1, max: 5 }).chain((min) => fc.integer({ min, max: 12 }).map((max) => ({ minReplicas: min, maxReplicas: max }))),
    { nil: undefined },
  ),
  extras: fc.boolean(),
  serving: fc.boolean(),
  canary: fc.boolean(),
});

function caseModel(c: typeof planCase extends fc.Arbitrary<infer T> ? T : never): { m: ModelDeployment; plan: RolloutPlan } {
  const m = md(c.provider, {
    'metadata.name': c.name,
    'spec.replicas': c.replicas,
    'spec.rollout.traffic': traffic(c.provider, c.extras),
    ...(c.autoscaling ? { 'spec.autoscaling': c.autoscaling } : {}),
  });
  return { m, plan: c.canary ? canaryPlan(m, c.weight, c.serving) : steadyPlan(m) };
}

void test('render of a plan: valid names and labels, deterministic, router weights equal the plan', () => {
  fc.assert(
    fc.property(planCase, (c) => {
      const { m, plan } = caseModel(c);
      const objects = render(m, plan);
      assert.equal(toYamlStream(objects), toYamlStream(render(structuredClone(m), structuredClone(plan))), 'deterministic');
      const ids = names(objects);
      assert.equal(new Set(ids).size, ids.length, 'kind and name unique');
      for (const o of objects) {
        assert.ok(o.metadata.name.length <= 63 && DNS1123_LABEL.test(o.metadata.name), o.metadata.name);
        for (const [k, v] of Object.entries(o.metadata.labels)) assert.ok(LABEL_VALUE.test(v) && v.length <= 63, `${k}=${v}`);
        if (o.kind === 'Service') assert.match(o.metadata.name, /^[a-z]/);
      }
      const routers = objects.filter((o) => o.kind === 'HTTPRoute' || o.kind === 'VirtualService');
      assert.equal(routers.length, plan.provider === 'replicas' ? 0 : 1);
      const router = routers[0];
      if (router?.kind === 'HTTPRoute') {
        const split = router.spec.rules.at(-1)!;
        const weights = split.backendRefs.map((b) => [b.name, b.weight]);
        assert.deepEqual(weights, plan.canary ? [[`${c.name}-stable`, plan.weights.stable], [`${c.name}-canary`, plan.weights.canary]] : [[`${c.name}-stable`, undefined]]);
        assert.equal(split.filters?.[0]?.requestMirror.percent, plan.canary ? plan.mirrorPercent : undefined);
        for (const b of router.spec.rules.flatMap((r) => r.backendRefs)) assert.ok(ids.includes(`Service/${b.name}`), `backend ${b.name} has a Service`);
      }
      if (router?.kind === 'VirtualService') {
        const split = router.spec.http.at(-1)!;
        assert.deepEqual(split.route.map((r) => r.weight), plan.canary ? [plan.weights.stable, plan.weights.canary] : [undefined]);
        assert.equal(split.mirrorPercentage?.value, plan.canary ? plan.mirrorPercent : undefined);
        for (const r of router.spec.http.flatMap((h) => h.route)) assert.ok(ids.includes(`Service/${r.destination.host}`));
      }
      // Replica counts of the plan reach the Deployments and HPAs.
      for (const v of ['stable', 'canary'] as const) {
        const scale = plan.replicas[v];
        if (scale === undefined) continue;
        const d = find(objects, 'Deployment', `${c.name}-${v}`);
        if ('replicas' in scale) assert.equal(d.spec?.replicas, scale.replicas);
        else assert.equal(find(objects, 'HorizontalPodAutoscaler', `${c.name}-${v}`).spec.maxReplicas, scale.maxReplicas);
      }
    }),
    { numRuns: 200 },
  );
});

void test('services of a plan target ports by name, so a variant with other port numbers is still reached', () => {
  const m = md('gateway-api');
  const services = render(m, canaryPlan(m, 10)).filter((o): o is ServiceObject => o.kind === 'Service');
  for (const s of services) assert.deepEqual(s.spec?.ports?.map((p) => [p.name, p.port, p.targetPort]), [['http', 80, 'http'], ['grpc', 9000, 'grpc']]);
});
