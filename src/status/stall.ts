// Stalled: what stops progress until a person changes something (the spec, RBAC, an image, a Secret).
// Checked from the most fundamental cause to its symptoms: an unrenderable spec, then refused applies,
// then stuck pods, then what the Deployment controller concluded from them.
import { byChild, describeChild, describeCode, isTerminal } from './apply-errors.ts';
import type { ApplyError, DeploymentObservation, Observations, PodObservation } from './observations.ts';
import type { StallReason } from '../api/reasons.ts';
import { asReason } from './foreign-reason.ts';
import { deploymentOrder, hasObservedGeneration } from './deployments.ts';
import { andMore, byName, clip } from './verdict.ts';
import { fetchFailureOf, type FetchStalledReason } from '../fetcher/exit-codes.ts';
import type { Verdict } from './verdict.ts';

/** Kubelet waiting reasons that do not clear without a change (or clear only by luck). */
export const STUCK_WAITING_REASONS: readonly StallReason[] = [
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
  'CreateContainerError',
];

const PULL_HINT = 'check the image name and tag and that the node may pull it (registry access, imagePullSecrets)';

/** What a person should do about a stuck container. */
function hint(reason: string, pod: string, container: string): string | undefined {
  switch (reason) {
    case 'ImagePullBackOff':
    case 'ErrImagePull':
      return PULL_HINT;
    case 'InvalidImageName':
      return 'fix the image reference';
    case 'CrashLoopBackOff':
      return `the container keeps exiting; see kubectl logs ${pod} -c ${container} --previous`;
    case 'CreateContainerConfigError':
      return 'a Secret or ConfigMap it references is missing (e.g. spec.model.credentials.secretRef)';
    case 'CreateContainerError':
      return 'the container runtime could not create the container; see kubectl describe pod';
    default:
      return undefined;
  }
}

export function findStall(obs: Observations): Verdict | undefined {
  return renderStall(obs) ?? applyStall(obs) ?? fetchStall(obs.pods) ?? podStall(obs.pods) ?? deploymentStall(obs.deployments);
}

/** What a person should do about a failed fetch. */
function fetchHint(reason: FetchStalledReason, pod: string, container: string): string {
  switch (reason) {
    case 'ModelNotFound':
      return 'check spec.model.uri';
    case 'AccessDenied':
      return 'check the keys of the Secret in spec.model.credentials and what they may read';
    case 'ChecksumMismatch':
      return 'check spec.model.sha256 and the object';
    case 'ModelFetchFailed':
      return `see kubectl logs ${pod} -c ${container}`;
  }
}

/**
 * A model fetcher that failed: the reason from its exit code, the text from its termination message's last
 * `modelship-fetch: <Reason>: <text>` line, bounded (fetchFailureOf); nothing else of the message is copied.
 */
function fetchStall(pods: readonly PodObservation[]): Verdict | undefined {
  const failed = byName(pods).filter((p) => p.fetchFailure !== undefined);
  const first = failed[0];
  if (first?.fetchFailure === undefined) return undefined;
  const { container, exitCode, message } = first.fetchFailure;
  const report = fetchFailureOf(exitCode, message ?? '');
  return {
    reason: report.reason,
    message: clip(`pod ${first.name} container ${container} (exit code ${exitCode}): ${report.message}; ${fetchHint(report.reason, first.name, container)}${andMore(failed.length, 'pods')}`),
  };
}

function renderStall(obs: Observations): Verdict | undefined {
  const e = obs.renderError;
  if (e === undefined) return undefined;
  const message = e.message.includes(e.field) ? e.message : `${e.field}: ${e.message}`;
  return { reason: e.code, message: clip(message) };
}

function applyStall(obs: Observations): Verdict | undefined {
  const permissions = [...new Set(obs.missingPermissions ?? [])].sort();
  const terminal = obs.applyErrors.filter(isTerminal).sort(byPriority);
  const first = terminal[0];
  if (first === undefined) {
    if (permissions.length === 0) return undefined;
    return {
      reason: 'MissingPermissions',
      message: clip(`the operator lacks permission to ${permissions.join(', ')}; grant it to the operator's ServiceAccount`),
    };
  }
  const more = andMore(terminal.length, 'children');
  const server = `API server: ${first.message}`;
  if (first.code === 403) {
    const what = permissions.length > 0 ? `it lacks permission to ${permissions.join(', ')}` : 'it lacks a permission';
    return {
      reason: 'ApplyForbidden',
      message: clip(`the operator may not apply ${describeChild(first)}${more}: ${what}; grant it to the operator's ServiceAccount. ${server}`),
    };
  }
  if (first.code === 422) {
    return { reason: 'ApplyInvalid', message: clip(`the API server rejected ${describeChild(first)}${more} as invalid. ${server}`) };
  }
  if (first.code === 409) {
    // Only a caller-marked conflict gets here (see ApplyError.retryable), e.g. a name taken by another owner.
    return { reason: 'ApplyConflict', message: clip(`cannot apply ${describeChild(first)}${more}: ${first.message}`) };
  }
  if (first.code === undefined) return { reason: 'ApplyRejected', message: clip(`cannot apply ${describeChild(first)}${more}: ${first.message}`) };
  return { reason: 'ApplyRejected', message: clip(`the API server refused ${describeChild(first)}${more} (${describeCode(first)}). ${server}`) };
}

/** 403 first (it usually explains the rest), then 422, then the others; by kind and name within. */
function byPriority(a: ApplyError, b: ApplyError): number {
  const rank = (e: ApplyError) => (e.code === 403 ? 0 : e.code === 422 ? 1 : e.code === 409 ? 2 : 3);
  return rank(a) - rank(b) || byChild(a, b);
}

function podStall(pods: readonly PodObservation[]): Verdict | undefined {
  const stuck = byName(pods).flatMap((pod) => {
    for (const waiting of pod.waiting ?? []) {
      const reason = STUCK_WAITING_REASONS.find((r) => r === waiting.reason);
      if (reason !== undefined) return [{ pod, waiting, reason }];
    }
    return [];
  });
  const first = stuck[0];
  if (first === undefined) return undefined;
  const { pod, waiting, reason } = first;
  const detail = waiting.message !== undefined && waiting.message !== '' ? `: ${waiting.message}` : '';
  const lastExit = (pod.terminated ?? []).find((t) => t.container === waiting.container);
  const exit = lastExit === undefined ? '' : ` (last exit: ${lastExit.reason}, code ${lastExit.exitCode})`;
  const advice = hint(waiting.reason, pod.name, waiting.container);
  return {
    reason,
    message: clip(`pod ${pod.name} container ${waiting.container}: ${waiting.reason}${detail}${exit}${advice === undefined ? '' : `; ${advice}`}${andMore(stuck.length, 'pods')}`),
  };
}

function deploymentStall(deployments: readonly DeploymentObservation[]): Verdict | undefined {
  // Conditions of a Deployment whose controller has not seen its current spec describe the old one.
  for (const d of deploymentOrder(deployments).filter((x) => x.exists && hasObservedGeneration(x))) {
    const failure = d.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
    if (failure !== undefined) {
      return {
        reason: asReason(failure.reason, 'ReplicaFailure'),
        message: clip(`Deployment ${d.name} cannot create pods: ${failure.message ?? failure.reason ?? 'ReplicaFailure'}`),
      };
    }
    const progressing = d.conditions?.find((c) => c.type === 'Progressing');
    if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
      return {
        reason: 'ProgressDeadlineExceeded',
        message: clip(
          `Deployment ${d.name} made no progress within its deadline${progressing.message ? `: ${progressing.message}` : ''}; see kubectl describe deployment ${d.name} and its pods`,
        ),
      };
    }
  }
  return undefined;
}
