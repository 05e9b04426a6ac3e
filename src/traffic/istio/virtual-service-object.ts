// Istio (networking.istio.io/v1): the VirtualService fields modelship writes.
import type { RouterKind, RouterObjectOf } from '../provider.ts';

export const VIRTUAL_SERVICE_KIND = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', plural: 'virtualservices' } as const satisfies RouterKind;

export interface IstioDestination {
  host: string;
  port: { number: number };
}

export interface IstioStringMatch {
  exact?: string;
  regex?: string;
}

export interface IstioHTTPRoute {
  name: string;
  match?: { headers: Record<string, IstioStringMatch> }[];
  route: { destination: IstioDestination; weight?: number }[];
  mirror?: IstioDestination;
  mirrorPercentage?: { value: number };
}

export interface VirtualServiceSpec {
  hosts: string[];
  gateways?: string[];
  http: IstioHTTPRoute[];
  exportTo?: string[];
}

export type VirtualServiceObject = RouterObjectOf<'networking.istio.io/v1', 'VirtualService', VirtualServiceSpec>;
