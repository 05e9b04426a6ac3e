// What the platform team decides about the router objects of every ModelDeployment (operator flags).
import { DEFAULT_ISTIO_POLICY, type IstioPolicy } from './istio/istio-policy.ts';

export interface TrafficPolicy {
  readonly istio: IstioPolicy;
}

export const DEFAULT_TRAFFIC_POLICY: TrafficPolicy = { istio: DEFAULT_ISTIO_POLICY };
