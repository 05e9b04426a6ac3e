// Reconciling: work under way that needs no one, only time. The first unfinished step is reported,
// with counts, so `kubectl get -o yaml` shows how far a rollout is.
import { byChild, describeChild, describeCode, isRetryable } from './apply-errors.ts';
import { deploymentOrder, desiredReplicas, hasObservedGeneration } from './deployments.ts';
import type { DeploymentObservation, Observations } from './observations.ts';
import { andMore, clip } from './verdict.ts';
import type { Verdict } from './verdict.ts';

export function findProgress(obs: Observations): Verdict | undefined {
  const retrying = obs.applyErrors.filter(isRetryable).sort(byChild);
  const first = retrying[0];
  if (first !== undefined) {
    return {
      reason: 'ProgressingWithRetry',
      message: clip(
        `applying ${describeChild(first)} failed (${describeCode(first)}: ${first.message})${andMore(retrying.length, 'children')}; retrying`,
      ),
    };
  }
  const unfinished = deploymentOrder(obs.deployments).flatMap((d) => {
    const v = deploymentProgress(d);
    return v === undefined ? [] : [v];
  });
  const head = unfinished[0];
  if (head === undefined) return undefined;
  return { reason: head.reason, message: clip(unfinished.map((v) => v.message).join('; ')) };
}

/** Mirrors `kubectl rollout status` and kstatus' Deployment rules. */
export function deploymentProgress(d: DeploymentObservation): Verdict | undefined {
  if (!d.exists) return { reason: 'Progressing', message: `waiting for Deployment ${d.name} to be created` };
  if (!hasObservedGeneration(d)) {
    return { reason: 'Progressing', message: `waiting for the Deployment controller to act on Deployment ${d.name}` };
  }
  const desired = desiredReplicas(d);
  const updated = d.updatedReplicas ?? 0;
  const ready = d.readyReplicas ?? 0;
  const available = d.availableReplicas ?? 0;
  const prefix = `Deployment ${d.name}:`;
  if (updated < desired) {
    return { reason: 'RollingOut', message: `${prefix} ${updated}/${desired} replicas updated, ${ready}/${desired} ready` };
  }
  if (ready < desired) return { reason: 'ScalingUp', message: `${prefix} ${ready}/${desired} replicas ready` };
  if (available < desired) {
    return { reason: 'ScalingUp', message: `${prefix} ${available}/${desired} replicas available (${ready} ready)` };
  }
  // Counts can look done while old pods still run; the controller says so with its own reason.
  const progressing = d.conditions?.find((c) => c.type === 'Progressing');
  if (progressing !== undefined && progressing.reason !== 'NewReplicaSetAvailable') {
    const why = progressing.message ?? progressing.reason ?? 'no reason given';
    return { reason: 'RollingOut', message: `${prefix} rollout not complete yet (${why})` };
  }
  return undefined;
}
