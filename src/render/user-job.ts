// The spec of a Job that runs a user's image once (a validation Job, a retraining Job): backoffLimit 0
// (a check or a training that fails once has failed; a retry would hide it or train twice),
// activeDeadlineSeconds bounds it, restricted pod security, no ServiceAccount token, no Service links.
// The environment modelship fixes comes first and the user's cannot override it. Pure.
import type { V1EnvVar, V1JobSpec, V1ResourceRequirements } from '@kubernetes/client-node';
import type { EnvVar } from '../api/env-var.ts';
import { mergeEnv } from './env.ts';
import { containerSecurityContext, podSecurityContext } from './security.ts';

export interface UserJobContainer {
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: EnvVar[];
  readonly resources?: V1ResourceRequirements | undefined;
  readonly timeoutSeconds: number;
}

export function userJobSpec(labels: Record<string, string>, containerName: string, job: UserJobContainer, fixed: V1EnvVar[]): V1JobSpec {
  const fixedNames = new Set(fixed.map((e) => e.name));
  const userEnv = (job.env ?? []).filter((e) => !fixedNames.has(e.name));
  return {
    backoffLimit: 0,
    activeDeadlineSeconds: job.timeoutSeconds,
    template: {
      metadata: { labels },
      spec: {
        restartPolicy: 'Never',
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: podSecurityContext(),
        containers: [
          {
            name: containerName,
            image: job.image,
            ...(job.command !== undefined ? { command: job.command } : {}),
            ...(job.args !== undefined ? { args: job.args } : {}),
            env: [...fixed, ...mergeEnv([], userEnv)],
            ...(job.resources !== undefined ? { resources: job.resources } : {}),
            securityContext: containerSecurityContext(),
          },
        ],
      },
    },
  };
}
