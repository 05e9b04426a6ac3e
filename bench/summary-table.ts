// PURE: the summary table printed after a run and pasted into README's Performance section.
import type { Percentiles, Summary } from './stats.ts';

export interface TableInput {
  readonly latency?: { applies: number; childrenExistMs: Percentiles; readyMs: Percentiles };
  readonly rollout?: { repetitions: number; toFirstWeightSeconds: Summary; abortToStableSeconds: Summary };
  readonly throughput?: {
    modelDeployments: number;
    specChanges: number;
    childrenExistSeconds: Summary;
    readySeconds: Summary;
    changeChildrenSeconds: Summary;
    changeReadySeconds: Summary;
    failedReconciles: number;
  };
  readonly floor?: { childrenExistSeconds: Summary; podsReadySeconds: Summary; changeChildrenSeconds: Summary; changeRolledOutSeconds: Summary };
  readonly rest?: { windowSeconds: number; operatorWrites: number; operatorCpuSeconds: number };
  readonly memory?: { levels: { modelDeployments: number; rssMiB: number; cachedObjects: number }[]; bytesPerObject: number; rssMiBPer1000ModelDeployments: number };
  readonly peer?: { count: number; kserveVersion: string; childrenExistSeconds: Summary; readySeconds: Summary; rssMiB: number; modelshipRssMiB: number } | { error: string };
  readonly startup?: { startSeconds: Summary };
}

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ms = (n: number) => `${Math.round(n)}`;
const span = (s: Summary, digits = 1) => (s.runs > 1 ? `${f(s.median, digits)} (${f(s.min, digits)}–${f(s.max, digits)}, ${s.runs} runs)` : `${f(s.median, digits)} (1 run)`);
const ratio = (a: Summary, b: Summary) => f(a.median / b.median, 2);

export function summaryTable(t: TableInput): string {
  const rows: string[][] = [];
  if (t.latency) {
    const { childrenExistMs: c, readyMs: r } = t.latency;
    rows.push([`apply → all children exist (${t.latency.applies} applies, idle)`, `p50 ${ms(c.p50)} / p95 ${ms(c.p95)} / p99 ${ms(c.p99)} ms`, 'p50 ≤ 150 ms, p99 ≤ 500 ms']);
    rows.push(['apply → Ready (kwok pods)', `p50 ${ms(r.p50)} / p95 ${ms(r.p95)} / p99 ${ms(r.p99)} ms`, '']);
  }
  const tp = t.throughput;
  if (tp) {
    rows.push([`${tp.modelDeployments} ModelDeployments at once → all children exist`, `${span(tp.childrenExistSeconds)} s`, '']);
    rows.push([`${tp.modelDeployments} ModelDeployments at once → all Ready`, `${span(tp.readySeconds)} s`, '']);
    rows.push(['failed reconciles', String(tp.failedReconciles), '0']);
    rows.push([`${tp.specChanges} spec changes at once → children updated / all Ready`, `${f(tp.changeChildrenSeconds.median)} / ${f(tp.changeReadySeconds.median)} s`, '']);
  }
  if (tp && t.floor) {
    rows.push(['operator / floor: all children exist', `${ratio(tp.childrenExistSeconds, t.floor.childrenExistSeconds)}× (floor ${f(t.floor.childrenExistSeconds.median)} s)`, '≤ 1.2×']);
    rows.push(['operator Ready / floor pods ready', `${ratio(tp.readySeconds, t.floor.podsReadySeconds)}× (floor ${f(t.floor.podsReadySeconds.median)} s)`, '']);
    rows.push(['spec changes, operator / floor: children updated', `${ratio(tp.changeChildrenSeconds, t.floor.changeChildrenSeconds)}× (floor ${f(t.floor.changeChildrenSeconds.median)} s)`, '']);
  }
  if (t.rest) {
    rows.push([`at rest, ${f(t.rest.windowSeconds / 60, 0)} min + a forced relist: operator writes`, String(t.rest.operatorWrites), '0']);
    rows.push(['at rest: operator CPU', `${f(t.rest.operatorCpuSeconds, 2)} s`, '']);
  }
  if (t.memory) {
    const levels = t.memory.levels.map((l) => `${l.modelDeployments}: ${f(l.rssMiB)}`).join(', ');
    rows.push(['operator RSS by ModelDeployments cached (MiB)', levels, '≤ 150 MiB at 1000']);
    rows.push(['RSS growth per 1000 ModelDeployments; per cached object', `${f(t.memory.rssMiBPer1000ModelDeployments)} MiB; ${Math.round(t.memory.bytesPerObject)} B`, '']);
  }
  if (t.rollout) {
    rows.push([`spec change → canary at its first weight (${t.rollout.repetitions} runs)`, `${span(t.rollout.toFirstWeightSeconds, 2)} s`, '']);
    rows.push(['abort → 100% stable (full size, ready)', `${span(t.rollout.abortToStableSeconds, 2)} s`, '']);
  }
  if (t.peer && 'error' in t.peer) rows.push(['KServe peer', `not measured: ${t.peer.error}`, '']);
  else if (t.peer && tp) {
    const p = t.peer;
    rows.push([`KServe ${p.kserveVersion} (RawDeployment), ${p.count} InferenceServices → children exist / Ready`, `${f(p.childrenExistSeconds.median)} / ${f(p.readySeconds.median)} s`, '']);
    rows.push(['modelship / KServe time: children exist; Ready', `${ratio(tp.childrenExistSeconds, p.childrenExistSeconds)}×; ${ratio(tp.readySeconds, p.readySeconds)}×`, '']);
    rows.push([`RSS, fresh process with ${p.count} converged: modelship / KServe`, `${f(p.modelshipRssMiB)} / ${f(p.rssMiB)} MiB`, '']);
  }
  if (t.startup) rows.push(['control plane start (warm cache)', `${span(t.startup.startSeconds, 2)} s`, '']);
  return ['| figure | measured | DESIGN.md §6 |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
