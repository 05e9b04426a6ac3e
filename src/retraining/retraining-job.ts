// PURE: the Job of one trigger (spec.monitoring.retraining.job): the user's image, named from the trigger
// id, so creating it again after a crash finds it (AlreadyExists: sent before) rather than starting a
// second. Owned by the ModelDeployment (deleted with it) but not labelled as one of its children: the
// reconcile's prune never sees it. Run once, as the validation Job (src/render/user-job.ts).
import type { V1EnvVar } from '@kubernetes/client-node';
import type { RetrainingJobSpec } from '../api/retraining-spec.ts';
import type { JobObject } from '../render/child-objects.ts';
import { cpuMemoryRequirements } from '../render/resources.ts';
import { userJobSpec } from '../render/user-job.ts';
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
  return structuredClone({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: triggerJobName(owner.name, id),
      namespace,
      labels,
      ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: userJobSpec(labels, RETRAINING_CONTAINER, { ...job, resources: job.resources !== undefined ? cpuMemoryRequirements(job.resources) : undefined }, fixed),
  });
}
