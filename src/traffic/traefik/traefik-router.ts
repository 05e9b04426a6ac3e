// PURE: the traefik provider's objects (Traefik's kubernetesCRD provider, traefik.io/v1alpha1), which
// mirror where Traefik's Gateway API provider does not implement RequestMirror: a weighted
// TraefikService `<name>-split` over the variants' Services; a TraefikService `<name>` that mirrors
// `<name>-split` to the canary while mirroring, else a weighted one over `<name>-split` alone (so the
// route never changes backend); and the HTTPRoute `<name>`, whose default rule goes to the TraefikService `<name>`.
import { objectMeta } from '../../render/child-objects.ts';
import { serviceName, variantName } from '../../render/names.ts';
import { SERVICE_HTTP_PORT } from '../../render/ports.ts';
import { routeTo } from '../gateway-api/http-route.ts';
import type { HTTPRouteObject } from '../gateway-api/http-route-object.ts';
import type { RouterInput } from '../provider.ts';
import { traefikSplitName, type TraefikServiceObject } from './traefik-service-object.ts';

export function traefikRouter(input: RouterInput): [TraefikServiceObject, TraefikServiceObject, HTTPRouteObject] {
  const meta = (name: string) => objectMeta(name, input.namespace, input.labels);
  const stable = variantName(input.name, 'stable');
  const canary = variantName(input.name, 'canary');
  const splitName = traefikSplitName(input.name);
  const split: TraefikServiceObject = {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TraefikService',
    metadata: meta(splitName),
    spec: {
      weighted: {
        services: input.canary
          ? [
              { name: stable, port: SERVICE_HTTP_PORT, weight: input.weights.stable },
              { name: canary, port: SERVICE_HTTP_PORT, weight: input.weights.canary },
            ]
          : [{ name: stable, port: SERVICE_HTTP_PORT, weight: 100 }],
      },
    },
  };
  const front: TraefikServiceObject = {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'TraefikService',
    metadata: meta(serviceName(input.name)),
    spec:
      input.canary && input.mirrorPercent !== undefined
        ? { mirroring: { name: splitName, kind: 'TraefikService', mirrors: [{ name: canary, port: SERVICE_HTTP_PORT, percent: input.mirrorPercent }] } }
        : { weighted: { services: [{ name: splitName, kind: 'TraefikService', weight: 1 }] } },
  };
  const route = routeTo(input, { backendRefs: [{ group: 'traefik.io', kind: 'TraefikService', name: serviceName(input.name) }] });
  return [split, front, route];
}
