// PURE: where a ModelDeployment's pods may run: spec.runtime's nodeSelector and tolerations, copied as
// written. The model server pods and the operator's drift Jobs both use it, so a model's checks run
// on the node pool its tenant chose for the model, and the operator adds no placement of its own.
import type { V1PodSpec } from '@kubernetes/client-node';
import type { RuntimeSpec } from '../api/runtime-spec.ts';

export type PodPlacement = Pick<V1PodSpec, 'nodeSelector' | 'tolerations'>;

/** The pod spec fields of spec.runtime's placement; none when unset. Keys sorted: stable renders. */
export function podPlacement(runtime: Pick<RuntimeSpec, 'nodeSelector' | 'tolerations'>): PodPlacement {
  return {
    ...(runtime.nodeSelector !== undefined ? { nodeSelector: sortedMap(runtime.nodeSelector) } : {}),
    ...(runtime.tolerations !== undefined ? { tolerations: runtime.tolerations.map((t) => ({ ...t })) } : {}),
  };
}

function sortedMap(map: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) out[key] = map[key]!;
  return out;
}
