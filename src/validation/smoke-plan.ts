// PURE: which requests one smoke check sends. Every sample to every ready canary pod, unless that is
// more than MAX_SMOKE_REQUESTS: then each pod gets the same number of samples (as many as fit, at
// least one), rotated from pod to pod so the pods together cover as many samples as they can, and
// past MAX_SMOKE_REQUESTS pods the rest are not checked. A check thus costs the canary and the
// operator at most MAX_SMOKE_REQUESTS requests, however many samples and replicas there are.

/** Requests one smoke check sends at most. */
export const MAX_SMOKE_REQUESTS = 100;

export interface PlannedSmokeRequest {
  /** Index into the targets. */
  readonly target: number;
  /** Index into the samples. */
  readonly sample: number;
}

export interface SmokePlan {
  /** In target order, then sample order. */
  readonly requests: readonly PlannedSmokeRequest[];
  /** Why not every sample goes to every pod; undefined when they all do. */
  readonly note?: string;
}

export function planSmokeRequests(targets: number, samples: number, max = MAX_SMOKE_REQUESTS): SmokePlan {
  const requests: PlannedSmokeRequest[] = [];
  if (targets <= 0 || samples <= 0) return { requests };
  if (targets * samples <= max) {
    for (let target = 0; target < targets; target++) for (let sample = 0; sample < samples; sample++) requests.push({ target, sample });
    return { requests };
  }
  const checked = Math.min(targets, max);
  const perTarget = Math.max(1, Math.floor(max / checked));
  for (let target = 0; target < checked; target++) {
    const picked = Array.from({ length: perTarget }, (_, j) => (target * perTarget + j) % samples).sort((a, b) => a - b);
    for (const sample of picked) requests.push({ target, sample });
  }
  const note =
    checked < targets
      ? `at most ${max} requests per smoke check: ${checked} of ${targets} pods checked, one sample each`
      : `at most ${max} requests per smoke check: ${perTarget} of ${samples} samples per pod`;
  return { requests, note };
}
