// PURE: the Job of one trigger (spec.monitoring.retraining.job): the user's image, named from the trigger
// id, so creating it again after a crash finds it (AlreadyExists: sent before) rather than starting a
// second. Owned by the ModelDeployment (deleted with it) but not labelled as one of its children: the
// reconcile's prune never sees it. backoffLimit 0 and activeDeadlineSeconds as the validation Job.
import type { V1EnvVar } from '@kubernetes/client-node';
import type { RetrainingJobSpec } from '../api/retraining-spec.ts';
import type { JobObject } from '../render/child-objects.ts';
import { mergeEnv } from '../render/env.ts';
import { containerSecurityContext, podSecurityContext } from '../render/security.ts';
import { triggerJobName } from './trigger-id.ts';

export const LABEL_RETRAINING_FOR = 'modelship.io/retraining-for';
export const LABEL_RETRAINING_TRIGGER = 'modelship.io/retraining-trigger';
export const TRIGGER_ENV = 'MODELSHIP_TRIGGER';
export const RETRAINING_CONTAINER = 'retrain';

export interface Owner {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

export function renderRetrainingJob(owner: Owner, namespace: string, id: string, job: RetrainingJobSpec, payload: unknown): JobObject {
  const labels = { [LABEL_RETRAINING_FOR]: owner.name, [LABEL_RETRAINING_TRIGGER]: id, 'app.kubernetes.io/managed-by': 'modelship' };
  const fixed: V1EnvVar[] = [{ name: TRIGGER_ENV, value: JSON.stringify(payload) }];
  const userEnv = (job.env ?? []).filter((e) => e.name !== TRIGGER_ENV);
  return structuredClone({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: triggerJobName(owner.name, id),
      namespace,
      labels,
      ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
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
              name: RETRAINING_CONTAINER,
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
    },
  }) as JobObject;
}
