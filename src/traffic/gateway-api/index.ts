// The gateway-api provider: one HTTPRoute on the spec's Gateway splits, matches and mirrors.
import { renderError } from '../../render/errors.ts';
import type { Provider } from '../provider.ts';
import { httpRoute } from './http-route.ts';
import { HTTP_ROUTE_KIND, type HTTPRouteObject } from './http-route-object.ts';
import { mirrorSupport } from './mirror-support.ts';
import { httpRouteCanaryWeight } from './route-weight.ts';
import { httpRouteNamesService } from '../names-canary.ts';

export const gatewayApi: Provider<HTTPRouteObject> = {
  name: 'gateway-api',
  kinds: [HTTP_ROUTE_KIND],
  render: (input) =>
    input.traffic.gateway === undefined
      ? renderError('MissingGateway', 'spec.rollout.traffic.gateway', 'is required when provider is gateway-api')
      : [httpRoute(input)],
  observedWeight: ({ live, name, canaryService }) => httpRouteCanaryWeight(live(HTTP_ROUTE_KIND, name), canaryService),
  namesCanary: ({ live, name, canaryService }) => httpRouteNamesService(live(HTTP_ROUTE_KIND, name), canaryService),
  mirrorSupport: (desired, applied) => {
    const route = desired.find((c) => c.kind === HTTP_ROUTE_KIND.kind);
    return mirrorSupport(route, route ? applied.get(`${HTTP_ROUTE_KIND.kind}/${route.metadata?.name ?? ''}`) : undefined);
  },
};
