// PURE: the VirtualService `<name>`: a cohort route to the canary first, then the weighted split,
// which may mirror a share to the canary.
import type { TrafficMatch } from '../../api/rollout-spec.ts';
import { objectMeta } from '../../render/child-objects.ts';
import { serviceName, variantName } from '../../render/names.ts';
import { SERVICE_HTTP_PORT } from '../../render/ports.ts';
import { cohorts, cookieRegex, sortedHeaders } from '../cohort-match.ts';
import type { RouterInput } from '../provider.ts';
import type { IstioDestination, IstioHTTPRoute, IstioStringMatch, VirtualServiceObject } from './virtual-service-object.ts';

function istioMatch(m: TrafficMatch): { headers: Record<string, IstioStringMatch> } {
  // Istio wants header names in lower case.
  if (m.cookie !== undefined) return { headers: { cookie: { regex: cookieRegex(m.cookie.name, m.cookie.value) } } };
  const headers: Record<string, IstioStringMatch> = {};
  for (const [name, value] of sortedHeaders(m.headers ?? {})) headers[name.toLowerCase()] = { exact: value };
  return { headers };
}

export function virtualService(input: RouterInput): VirtualServiceObject {
  const destination = (variant: 'stable' | 'canary'): IstioDestination => ({
    host: variantName(input.name, variant),
    port: { number: SERVICE_HTTP_PORT },
  });
  const http: IstioHTTPRoute[] = [];
  const matches = cohorts(input);
  if (matches.length > 0) http.push({ name: 'cohort', match: matches.map(istioMatch), route: [{ destination: destination('canary') }] });
  const split: IstioHTTPRoute = {
    name: 'split',
    route: input.canary
      ? [
          { destination: destination('stable'), weight: input.weights.stable },
          { destination: destination('canary'), weight: input.weights.canary },
        ]
      : [{ destination: destination('stable') }],
  };
  if (input.canary && input.mirrorPercent !== undefined) {
    split.mirror = destination('canary');
    split.mirrorPercentage = { value: input.mirrorPercent };
  }
  http.push(split);
  const gateway = input.traffic.gateway;
  const hosts = input.traffic.hosts !== undefined && input.traffic.hosts.length > 0 ? [...input.traffic.hosts] : [serviceName(input.name)];
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: objectMeta(serviceName(input.name), input.namespace, input.labels),
    spec: {
      hosts,
      // Bound to an Istio Gateway when one is named; 'mesh' keeps in-mesh callers routed too.
      ...(gateway !== undefined ? { gateways: [gateway.namespace !== undefined ? `${gateway.namespace}/${gateway.name}` : gateway.name, 'mesh'] } : {}),
      http,
      // Seen by the sidecars and gateways of these namespaces only (the platform's --istio-export-to).
      ...(input.policy.istio.exportTo.length > 0 ? { exportTo: [...input.policy.istio.exportTo] } : {}),
    },
  };
}
