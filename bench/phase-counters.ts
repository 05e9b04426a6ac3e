// One timed phase on a bench control plane with its counters: kube-apiserver's requests by verb, the
// controller's own requests by verb (audit log) and, for modelship, its reconciles.
import type { BenchCluster } from './bench-cluster.ts';
import { countByVerb } from './audit-log.ts';
import { requestBudget, type RequestBudget } from './request-budget.ts';
import { sumBy, type Sample } from './prom-text.ts';
import { delta } from './stats.ts';

export interface PhaseCounters {
  /** Every client's requests (the benchmark's, kube-controller-manager's, kwok's ...), by verb. */
  readonly apiServerRequestsByVerb: Record<string, number>;
  /** The controller's requests by audit verb (get, list, watch, create, patch, ...). */
  readonly controllerRequestsByVerb: Record<string, number>;
  readonly controllerWritesByResource: Record<string, number>;
  /** The controller's requests per model by verb and the rate they reached (when the phase's model count is given). */
  readonly controllerBudget?: RequestBudget;
  /** controller_runtime_reconcile_total by result; errors are result="error". */
  readonly reconciles?: Record<string, number>;
  readonly reconcileErrors?: number;
}

export async function withCounters<T>(
  cluster: BenchCluster,
  user: string,
  metrics: (() => Promise<Sample[]>) | undefined,
  phase: () => Promise<T>,
  settle: () => Promise<void> = () => Promise.resolve(),
  models?: number,
): Promise<T & { counters: PhaseCounters }> {
  const mark = cluster.audit.mark();
  const api0 = await cluster.apiServerRequests();
  const m0 = metrics ? await metrics() : [];
  const result = await phase();
  // Requests after the last milestone still belong to the phase (e.g. a final status write).
  await settle();
  const api1 = await cluster.apiServerRequests();
  const m1 = metrics ? await metrics() : [];
  const entries = cluster.audit.entriesSince(mark);
  const { verbs, writes } = countByVerb(entries, user);
  const counters: PhaseCounters = {
    apiServerRequestsByVerb: delta(api0, api1),
    controllerRequestsByVerb: verbs,
    controllerWritesByResource: writes,
    ...(models !== undefined ? { controllerBudget: requestBudget(entries, user, models) } : {}),
    ...(metrics
      ? {
          reconciles: delta(sumBy(m0, 'controller_runtime_reconcile_total', 'result'), sumBy(m1, 'controller_runtime_reconcile_total', 'result')),
          reconcileErrors: (sumBy(m1, 'controller_runtime_reconcile_errors_total', 'controller').modeldeployment ?? 0) - (sumBy(m0, 'controller_runtime_reconcile_errors_total', 'controller').modeldeployment ?? 0),
        }
      : {}),
  };
  return { ...result, counters };
}
