// The traefik provider: an HTTPRoute (Gateway API) to TraefikServices that split and mirror.
import { renderError } from '../../render/errors.ts';
import { HTTP_ROUTE_KIND, type HTTPRouteObject } from '../gateway-api/http-route-object.ts';
import type { Provider } from '../provider.ts';
import { traefikRouter } from './traefik-router.ts';
import { TRAEFIK_SERVICE_KIND, traefikSplitName, type TraefikServiceObject } from './traefik-service-object.ts';
import { traefikCanaryWeight } from './traefik-weight.ts';
import { serviceName } from '../../render/names.ts';
import { httpRouteNamesService, traefikServiceNamesService } from '../names-canary.ts';

export const traefik: Provider<TraefikServiceObject | HTTPRouteObject> = {
  name: 'traefik',
  kinds: [TRAEFIK_SERVICE_KIND, HTTP_ROUTE_KIND],
  render: (input) =>
    input.traffic.gateway === undefined
      ? renderError('MissingGateway', 'spec.rollout.traffic.gateway', 'is required when provider is traefik')
      : traefikRouter(input),
  observedWeight: ({ live, name, canaryService }) =>
    traefikCanaryWeight(live(HTTP_ROUTE_KIND, name), live(TRAEFIK_SERVICE_KIND, traefikSplitName(name)), canaryService),
  // The route's cohort rule, the split and the mirroring front: undefined until the route is accepted
  // (without a route nothing reaches the TraefikServices).
  namesCanary: ({ live, name, canaryService }) => {
    const liveRoute = live(HTTP_ROUTE_KIND, name);
    const route = httpRouteNamesService(liveRoute, canaryService);
    if (route === undefined || liveRoute === undefined) return route;
    const services = [traefikSplitName(name), serviceName(name)].map((n) => live(TRAEFIK_SERVICE_KIND, n));
    return route || services.some((ts) => traefikServiceNamesService(ts, canaryService));
  },
  // Mirroring is a TraefikService, which keeps its percent; the HTTPRoute asks for none.
  mirrorSupport: () => undefined,
};
