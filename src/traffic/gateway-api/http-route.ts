// PURE: the HTTPRoute `<name>`, bound to the spec's Gateway. Cohort matches go first and always reach
// the canary; the rest is split by weight between the per-variant Services, and a share of it may be
// mirrored to the canary.
import type { TrafficMatch } from '../../api/rollout-spec.ts';
import { objectMeta } from '../../render/child-objects.ts';
import { serviceName, variantName } from '../../render/names.ts';
import { SERVICE_HTTP_PORT } from '../../render/ports.ts';
import { cohorts, cookieRegex, sortedHeaders } from '../cohort-match.ts';
import type { RouterInput } from '../provider.ts';
import type { HTTPBackendRef, HTTPHeaderMatch, HTTPRouteObject, HTTPRouteRule } from './http-route-object.ts';

function gatewayMatch(m: TrafficMatch): { headers: HTTPHeaderMatch[] } {
  if (m.cookie !== undefined) {
    return { headers: [{ type: 'RegularExpression', name: 'Cookie', value: cookieRegex(m.cookie.name, m.cookie.value) }] };
  }
  return { headers: sortedHeaders(m.headers ?? {}).map(([name, value]) => ({ type: 'Exact', name, value })) };
}

export function httpRoute(input: RouterInput): HTTPRouteObject {
  const stable: HTTPBackendRef = { name: variantName(input.name, 'stable'), port: SERVICE_HTTP_PORT };
  const canary: HTTPBackendRef = { name: variantName(input.name, 'canary'), port: SERVICE_HTTP_PORT };
  const split: HTTPRouteRule = {
    backendRefs: input.canary
      ? [
          { ...stable, weight: input.weights.stable },
          { ...canary, weight: input.weights.canary },
        ]
      : [{ ...stable }],
  };
  if (input.canary && input.mirrorPercent !== undefined) {
    split.filters = [{ type: 'RequestMirror', requestMirror: { backendRef: { ...canary }, percent: input.mirrorPercent } }];
  }
  return routeTo(input, split);
}

/** The HTTPRoute `<name>`: the cohort rule to the canary Service first, then `split`. */
export function routeTo(input: RouterInput, split: HTTPRouteRule): HTTPRouteObject {
  const gateway = input.traffic.gateway;
  if (gateway === undefined) throw new Error('an HTTPRoute needs spec.rollout.traffic.gateway');
  const canary: HTTPBackendRef = { name: variantName(input.name, 'canary'), port: SERVICE_HTTP_PORT };
  const rules: HTTPRouteRule[] = [];
  const matches = cohorts(input);
  if (matches.length > 0) rules.push({ matches: matches.map(gatewayMatch), backendRefs: [{ ...canary }] });
  rules.push(split);
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: objectMeta(serviceName(input.name), input.namespace, input.labels),
    spec: {
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: gateway.name,
          ...(gateway.namespace !== undefined ? { namespace: gateway.namespace } : {}),
          ...(gateway.sectionName !== undefined ? { sectionName: gateway.sectionName } : {}),
        },
      ],
      ...(input.traffic.hosts !== undefined && input.traffic.hosts.length > 0 ? { hostnames: [...input.traffic.hosts] } : {}),
      rules,
    },
  };
}
