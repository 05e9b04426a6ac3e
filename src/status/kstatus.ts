// The generic rules of sigs.k8s.io/cli-utils/pkg/kstatus (checkGenericProperties), which Flux, Helm 4
// and `kubectl wait --for=jsonpath` users rely on. Tests use it to check computeStatus agrees with them.
// As in kstatus: a missing observedGeneration (or generation) skips the generation check, and the
// conditions are scanned in list order, the first Reconciling=True or Stalled=True deciding.
import type { ModelDeploymentStatus } from '../api/index.ts';

export type KStatus = 'InProgress' | 'Current' | 'Failed';

export function kstatusOf(obj: { metadata: { generation?: number }; status?: ModelDeploymentStatus }): KStatus {
  const generation = obj.metadata.generation;
  const observed = obj.status?.observedGeneration;
  if (generation !== undefined && observed !== undefined && observed !== generation) return 'InProgress';
  for (const c of obj.status?.conditions ?? []) {
    if (c.type === 'Reconciling' && c.status === 'True') return 'InProgress';
    if (c.type === 'Stalled' && c.status === 'True') return 'Failed';
  }
  return 'Current';
}
