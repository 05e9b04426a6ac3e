// The istio provider: one VirtualService splits, matches and mirrors; no Gateway is required.
import type { Provider } from '../provider.ts';
import { confinementError } from './confinement.ts';
import { virtualService } from './virtual-service.ts';
import { VIRTUAL_SERVICE_KIND, type VirtualServiceObject } from './virtual-service-object.ts';
import { virtualServiceCanaryWeight } from './virtual-service-weight.ts';
import { virtualServiceNamesService } from '../names-canary.ts';

export const istio: Provider<VirtualServiceObject> = {
  name: 'istio',
  kinds: [VIRTUAL_SERVICE_KIND],
  render: (input) => confinementError(input.traffic, input.namespace, input.policy.istio) ?? [virtualService(input)],
  observedWeight: ({ live, name, canaryService }) => virtualServiceCanaryWeight(live(VIRTUAL_SERVICE_KIND, name), canaryService),
  namesCanary: ({ live, name, canaryService }) => virtualServiceNamesService(live(VIRTUAL_SERVICE_KIND, name), canaryService),
  // The applied VirtualService keeps mirrorPercentage: nothing to verify.
  mirrorSupport: () => undefined,
};
