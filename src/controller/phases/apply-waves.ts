// PURE: the order of a reconcile's applies. Children that do not depend on one another are sent
// together: a model's Deployments, Services, autoscalers and disruption budgets (five requests for a
// canary-less model) cost one round trip instead of five, while the API client's rate limit still
// bounds the requests a second. Children that depend on others keep render's order (render-model-
// deployment.ts): the ConfigMaps a Deployment mounts go first, and the traffic routers (which name the
// Services, and follow one another: Traefik's TraefikService before the HTTPRoute that names it) and
// Jobs go one at a time after them.

const TOGETHER: Readonly<Record<string, string>> = {
  ConfigMap: 'config',
  Deployment: 'workload',
  Service: 'workload',
  HorizontalPodAutoscaler: 'workload',
  PodDisruptionBudget: 'workload',
};

/** The children in waves, in render order: a wave's children are applied at once, a wave after the one before it. */
export function applyWaves<T extends { readonly kind: string }>(desired: readonly T[]): T[][] {
  const waves: T[][] = [];
  let group: string | undefined;
  for (const child of desired) {
    const together = TOGETHER[child.kind];
    const last = waves.at(-1);
    if (together !== undefined && together === group && last !== undefined) last.push(child);
    else waves.push([child]);
    group = together;
  }
  return waves;
}
