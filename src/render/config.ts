// What the platform team configures about rendering (through the operator's flags or Helm values).
import type { V1ResourceRequirements } from '@kubernetes/client-node';
import { DEFAULT_FETCHER_IMAGE, PRESET_IMAGES } from './presets/images.ts';
import type { PresetImages } from './presets/images.ts';
import { DEFAULT_TRAFFIC_POLICY, type TrafficPolicy } from '../traffic/traffic-policy.ts';

export interface RenderConfig {
  /**
   * Image of the init container that fetches s3://, gs:// and https:// models. The default is
   * modelship's own image (its `fetch` subcommand; gs:// goes to KServe's storage-initializer). Contract
   * of any other image: it gets two arguments, the model URI and the destination directory, reads
   * credentials from its environment, and exits 0 once the model is in place (KServe's
   * storage-initializer does this, and so does modelship's image).
   */
  fetcherImage: string;
  /** Requests and limits of the fetcher, so namespaces with a ResourceQuota accept the pods. */
  fetcherResources: V1ResourceRequirements;
  /** Images of the presets, e.g. to pull them from a registry mirror. */
  presetImages: PresetImages;
  /** Hosts, gateways and visibility the platform allows the router objects. */
  traffic: TrafficPolicy;
}

export const defaultRenderConfig: RenderConfig = {
  fetcherImage: DEFAULT_FETCHER_IMAGE,
  fetcherResources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '1Gi' } },
  presetImages: PRESET_IMAGES,
  traffic: DEFAULT_TRAFFIC_POLICY,
};
