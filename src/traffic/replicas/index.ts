// The replicas provider: no router and no mesh. The stable Service selects both variants, so the
// split is the ratio of ready pods, approximated to what the replica counts allow.
import { capacityOf, effectiveWeight } from '../../rollout/index.ts';
import type { Provider } from '../provider.ts';

export const replicas: Provider<never> = {
  name: 'replicas',
  kinds: [],
  render: () => [],
  // The replica ratio is in force once both Deployments are rolled out at their planned size.
  observedWeight: ({ spec, previous, stable, canary }) => {
    const weight = previous?.canary?.weight ?? 0;
    const settled = stable.updatedReady && (canary === undefined || canary.updatedReady);
    return settled ? effectiveWeight('replicas', capacityOf(spec), weight) : undefined;
  },
  // No router: the canary's pods are its share.
  namesCanary: () => undefined,
  mirrorSupport: () => undefined,
};
