// Security contexts that meet the Pod Security Standard "restricted". The uid is set explicitly
// because several server images (TensorFlow Serving, Triton, MLflow) run as root by default and
// would be refused by runAsNonRoot alone.
import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

export const RUN_AS_USER = 1000;

export function podSecurityContext(): V1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: RUN_AS_USER,
    runAsGroup: RUN_AS_USER,
    fsGroup: RUN_AS_USER,
    // Model volumes can hold many files: relabel ownership only when the volume root is off.
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurityContext(): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
