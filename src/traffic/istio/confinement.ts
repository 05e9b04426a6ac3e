// PURE: the hosts and gateway a ModelDeployment asks its VirtualService for, checked against the
// platform's allowlist. A VirtualService for another team's host, or bound to a shared ingress
// gateway, would send that traffic to this ModelDeployment's pods: without the platform's consent
// the ModelDeployment is Stalled and no VirtualService is written.
import type { TrafficSpec } from '../../api/rollout-spec.ts';
import { renderError, type RenderError } from '../../render/errors.ts';
import { gatewayMatches, hostMatches, isNamespaceService } from './host-pattern.ts';
import type { IstioPolicy } from './istio-policy.ts';

const listed = (patterns: readonly string[]) => (patterns.length > 0 ? patterns.join(', ') : 'none');

export function confinementError(traffic: TrafficSpec, namespace: string | undefined, policy: IstioPolicy): RenderError | undefined {
  const hosts = traffic.hosts ?? [];
  const foreign = hosts.findIndex((h) => !isNamespaceService(h, namespace) && !policy.allowedHosts.some((p) => hostMatches(p, h)));
  if (foreign !== -1) {
    return renderError(
      'HostNotAllowed',
      `spec.rollout.traffic.hosts[${foreign}]`,
      `${hosts[foreign]} is not a Service of this namespace and not among the hosts the platform allows for Istio (${listed(policy.allowedHosts)}); ` +
        'remove it to route the Service, or ask the platform team to allow it (--istio-allowed-hosts)',
    );
  }
  const gateway = traffic.gateway;
  if (gateway?.namespace === undefined || gateway.namespace === namespace) return undefined;
  if (policy.allowedGateways.some((p) => gatewayMatches(p, gateway.namespace ?? '', gateway.name))) return undefined;
  return renderError(
    'GatewayNotAllowed',
    'spec.rollout.traffic.gateway',
    `${gateway.namespace}/${gateway.name} is in another namespace and not among the gateways the platform allows for Istio (${listed(policy.allowedGateways)}); ` +
      'ask the platform team to allow it (--istio-allowed-gateways)',
  );
}
