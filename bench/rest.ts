// At rest: a converged operator over a window with nothing to do, and one forced relist in the middle
// (kube-apiserver restarted: every watch breaks and every cache lists again). Expected writes: none.
import type { BenchCluster } from './bench-cluster.ts';
import { countByVerb } from './audit-log.ts';
import type { OperatorRun } from './operator-runner.ts';
import { sleep } from './parallel.ts';
import { sumBy } from './prom-text.ts';
import { delta, round, total } from './stats.ts';

export interface RestResult {
  readonly windowSeconds: number;
  readonly forcedRelist: string;
  /** Create, update, patch and delete requests of the operator (events included), from the audit log. */
  readonly operatorWrites: number;
  readonly operatorWritesByResource: Record<string, number>;
  readonly operatorRequestsByVerb: Record<string, number>;
  readonly operatorCpuSeconds: number;
  readonly reconciles: Record<string, number>;
  /** Every client's requests, from kube-apiserver's apiserver_request_total. */
  readonly apiServerRequestsByVerb: Record<string, number>;
}

export async function measureRest(cluster: BenchCluster, operator: OperatorRun, user: string, windowMs: number, log: (m: string) => void): Promise<RestResult> {
  const mark = cluster.audit.mark();
  const cpu0 = operator.cpuSeconds();
  const reconciles0 = sumBy(await operator.metrics(), 'controller_runtime_reconcile_total', 'result');
  const api0 = await cluster.apiServerRequests();
  log(`rest: ${windowMs / 60_000} min window; kube-apiserver restart at its midpoint`);
  await sleep(windowMs / 2);
  await cluster.restartApiServer();
  await sleep(windowMs / 2);
  const cpu1 = operator.cpuSeconds();
  const reconciles1 = sumBy(await operator.metrics(), 'controller_runtime_reconcile_total', 'result');
  const api1 = await cluster.apiServerRequests();
  const { verbs, writes } = countByVerb(cluster.audit.entriesSince(mark), user);
  return {
    windowSeconds: windowMs / 1000,
    forcedRelist: 'kube-apiserver restarted at the midpoint of the window: every watch broke and every cache listed again',
    operatorWrites: total(writes),
    operatorWritesByResource: writes,
    operatorRequestsByVerb: verbs,
    operatorCpuSeconds: round(cpu1 - cpu0, 2),
    reconciles: delta(reconciles0, reconciles1),
    apiServerRequestsByVerb: delta(api0, api1),
  };
}
