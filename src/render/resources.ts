// spec.runtime.resources as container resources: quantities as strings, keys sorted.
import type { V1ResourceRequirements } from '@kubernetes/client-node';
import { quantityString } from '../api/quantity.ts';
import type { Quantity } from '../api/quantity.ts';
import type { Resources } from '../api/resources.ts';

function sortedQuantities(map: Record<string, Quantity> | undefined): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) out[key] = quantityString(map[key]!);
  return out;
}

// Extended resources (nvidia.com/gpu) cannot be overcommitted: Kubernetes wants them in limits,
// equal to any request. Asking for a GPU in requests alone is what people mean by "one GPU".
function isExtendedResource(name: string): boolean {
  return name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.');
}

export function containerResources(resources: Resources | undefined): V1ResourceRequirements | undefined {
  if (resources === undefined) return undefined;
  const requests = sortedQuantities(resources.requests);
  let limits = sortedQuantities(resources.limits);
  for (const [name, value] of Object.entries(requests ?? {})) {
    if (isExtendedResource(name) && limits?.[name] === undefined) {
      limits = sortedQuantities({ ...limits, [name]: value });
    }
  }
  const out: V1ResourceRequirements = {};
  if (limits !== undefined) out.limits = limits;
  if (requests !== undefined) out.requests = requests;
  return out;
}

type Quantities = Partial<Record<string, string | number>> | undefined;

/** Quantities as the Kubernetes types want them: strings. */
function quantities(q: Quantities): Record<string, string> | undefined {
  if (q === undefined) return undefined;
  return Object.fromEntries(Object.entries(q).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
}

/** CPU and memory of a modelship container or a user's Job (runner, agent, retraining), as strings. */
export function cpuMemoryRequirements(r: { requests?: Quantities; limits?: Quantities }): V1ResourceRequirements {
  const requests = quantities(r.requests);
  const limits = quantities(r.limits);
  return { ...(requests !== undefined ? { requests } : {}), ...(limits !== undefined ? { limits } : {}) };
}
