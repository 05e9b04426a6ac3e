// Traefik (traefik.io/v1alpha1): the TraefikService fields modelship writes. A TraefikService is
// either a weighted round robin over services or a mirroring of one service to others.
import { serviceName } from '../../render/names.ts';
import type { RouterKind, RouterObjectOf } from '../provider.ts';

export const TRAEFIK_SERVICE_KIND = { apiVersion: 'traefik.io/v1alpha1', kind: 'TraefikService', plural: 'traefikservices' } as const satisfies RouterKind;

export interface TraefikServiceRef {
  name: string;
  /** Service (the default: a core Service) or TraefikService. */
  kind?: 'Service' | 'TraefikService';
  port?: number;
  weight?: number;
}

export interface TraefikMirror {
  name: string;
  port: number;
  percent: number;
}

export type TraefikServiceSpec =
  | { weighted: { services: TraefikServiceRef[] } }
  | { mirroring: TraefikServiceRef & { mirrors: TraefikMirror[] } };

export type TraefikServiceObject = RouterObjectOf<'traefik.io/v1alpha1', 'TraefikService', TraefikServiceSpec>;

/** The TraefikService of the weighted split between the variants: `<name>-split`. */
export function traefikSplitName(name: string): string {
  return `${serviceName(name)}-split`;
}
