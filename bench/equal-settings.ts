// PURE: KServe beside modelship at its defaults and at KServe's per-client settings, from the runs of
// the kserve group with --kserve-equal-settings: times, CPU, RSS and each controller's request budget.
import type { KServeGroupResult } from './group-kserve.ts';
import type { ClientSettings, ModelshipConvergeResult } from './group-modelship-converge.ts';
import type { RequestBudget } from './request-budget.ts';
import { round, summarize, type Summary } from './stats.ts';

/** controller-runtime's defaults, per client; KServe runs one InferenceService reconcile at a time. */
export const KSERVE_CLIENT_SETTINGS: ClientSettings = { qps: 20, burst: 30, concurrency: 1 };

/**
 * modelship at the request rate KServe actually reached: KServe's clients each have their own 20 QPS limiter,
 * so together they send more than 20 a second. modelship's one limiter is set to KServe's mean rate over its
 * busy interval (rounded up), with KServe's per-client burst and one reconcile at a time.
 */
export function settingsAtRate(kserveMeanPerSecond: number): ClientSettings {
  if (!Number.isFinite(kserveMeanPerSecond) || kserveMeanPerSecond <= 0) return KSERVE_CLIENT_SETTINGS;
  return { qps: Math.max(1, Math.ceil(kserveMeanPerSecond)), burst: KSERVE_CLIENT_SETTINGS.burst, concurrency: KSERVE_CLIENT_SETTINGS.concurrency };
}

export interface ControllerRow {
  readonly settings: string;
  readonly childrenExistSeconds: Summary;
  readonly readySeconds: Summary;
  readonly cpuSeconds: Summary;
  readonly rssConvergedMiB: Summary;
  readonly rssFreshMiB: Summary;
  readonly requests: Summary;
  /** Medians over the runs, per model, by verb. */
  readonly requestsPerModel: { readonly total: number; readonly byVerb: Record<string, number> };
  readonly writesPerModel: Record<string, number>;
  readonly events: Summary;
  readonly busySeconds: Summary;
  readonly meanRequestsPerSecond: Summary;
  readonly peakRequestsPerSecond: Summary;
}

interface RowInput {
  readonly childrenExistSeconds: number;
  readonly readySeconds: number;
  readonly cpuSeconds: number;
  readonly rssConvergedMiB: number;
  readonly rssFreshMiB: number;
  readonly budget: RequestBudget | undefined;
}

function medianByKey(records: readonly Record<string, number>[]): Record<string, number> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))].sort();
  return Object.fromEntries(keys.map((k) => [k, round(summarize(records.map((r) => r[k] ?? 0)).median, 2)]));
}

function row(settings: string, runs: readonly RowInput[]): ControllerRow {
  const s = (pick: (r: RowInput) => number) => summarize(runs.map(pick));
  const budgets = runs.flatMap((r) => (r.budget ? [r.budget] : []));
  const b = (pick: (r: RequestBudget) => number) => summarize(budgets.map(pick));
  return {
    settings,
    childrenExistSeconds: s((r) => round(r.childrenExistSeconds, 1)),
    readySeconds: s((r) => round(r.readySeconds, 1)),
    cpuSeconds: s((r) => r.cpuSeconds),
    rssConvergedMiB: s((r) => r.rssConvergedMiB),
    rssFreshMiB: s((r) => r.rssFreshMiB),
    requests: b((r) => r.requests),
    requestsPerModel: { total: round(b((r) => r.perModel.total).median, 2), byVerb: medianByKey(budgets.map((r) => r.perModel.byVerb)) },
    writesPerModel: medianByKey(budgets.map((r) => r.writesPerModel)),
    events: b((r) => r.events),
    busySeconds: b((r) => r.busySeconds),
    meanRequestsPerSecond: b((r) => r.meanPerSecond),
    peakRequestsPerSecond: b((r) => r.peakPerSecond),
  };
}

const settingsText = (s: ClientSettings) => `${s.qps} QPS, burst ${s.burst}; ${s.concurrency} reconcile${s.concurrency === 1 ? '' : 's'} at a time`;

const modelshipRow = (runs: readonly ModelshipConvergeResult[]) =>
  row(
    runs[0] ? settingsText(runs[0].settings) : '',
    runs.map((r) => ({ ...r.create, cpuSeconds: r.cpuSeconds, rssConvergedMiB: r.rssConvergedMiB, rssFreshMiB: r.rssFreshMiB, budget: r.create.counters.controllerBudget })),
  );

export interface EqualSettingsComparison {
  readonly kserve: ControllerRow;
  readonly modelshipDefaults: ControllerRow;
  readonly modelshipAtKServeSettings: ControllerRow;
  /** At KServe's effective request rate (settingsAtRate), when those runs were made. */
  readonly modelshipAtKServeRate?: ControllerRow;
  /** Medians, modelship / KServe. */
  readonly overKServe: Partial<Record<'defaults' | 'atKServeSettings' | 'atKServeRate', Ratios>>;
}

interface Ratios {
  readonly childrenExist: number;
  readonly ready: number;
  readonly cpu: number;
  readonly rssFresh: number;
  readonly requests: number;
}

export function equalSettingsComparison(
  kserve: readonly KServeGroupResult[],
  defaults: readonly ModelshipConvergeResult[],
  atKServe: readonly ModelshipConvergeResult[],
  atRate: readonly ModelshipConvergeResult[] = [],
): EqualSettingsComparison {
  const k = row(
    `controller-runtime defaults: ${settingsText(KSERVE_CLIENT_SETTINGS)}, per client`,
    kserve.map((r) => ({ ...r.create, cpuSeconds: r.cpuSeconds, rssConvergedMiB: r.rssConvergedMiB, rssFreshMiB: r.rssFreshMiB, budget: r.create.counters.controllerBudget })),
  );
  const d = modelshipRow(defaults);
  const e = modelshipRow(atKServe);
  const r = atRate.length > 0 ? modelshipRow(atRate) : undefined;
  const over = (m: ControllerRow): Ratios => ({
    childrenExist: round(m.childrenExistSeconds.median / k.childrenExistSeconds.median, 2),
    ready: round(m.readySeconds.median / k.readySeconds.median, 2),
    cpu: round(m.cpuSeconds.median / k.cpuSeconds.median, 2),
    rssFresh: round(m.rssFreshMiB.median / k.rssFreshMiB.median, 2),
    requests: round(m.requests.median / k.requests.median, 2),
  });
  return {
    kserve: k,
    modelshipDefaults: d,
    modelshipAtKServeSettings: e,
    ...(r ? { modelshipAtKServeRate: r } : {}),
    overKServe: { defaults: over(d), atKServeSettings: over(e), ...(r ? { atKServeRate: over(r) } : {}) },
  };
}

/** A Markdown table of the comparison (medians; ranges when there was more than one run). */
export function equalSettingsTable(c: EqualSettingsComparison): string {
  const cols = [c.modelshipDefaults, c.modelshipAtKServeSettings, ...(c.modelshipAtKServeRate ? [c.modelshipAtKServeRate] : []), c.kserve];
  const sum = (x: Summary, digits = 1) => (x.runs > 1 && x.min !== x.max ? `${x.median.toFixed(digits)} (${x.min.toFixed(digits)}–${x.max.toFixed(digits)})` : x.median.toFixed(digits));
  const verbs = [...new Set(cols.flatMap((r) => Object.keys(r.requestsPerModel.byVerb)))].sort();
  const lines = [
    `| figure | modelship, defaults | modelship, KServe's settings |${c.modelshipAtKServeRate ? " modelship, KServe's request rate |" : ''} KServe |`,
    `|---|---|---|${c.modelshipAtKServeRate ? '---|' : ''}---|`,
    `| client settings | ${cols.map((r) => r.settings).join(' | ')} |`,
    `| all children exist, s | ${cols.map((r) => sum(r.childrenExistSeconds)).join(' | ')} |`,
    `| all Ready, s | ${cols.map((r) => sum(r.readySeconds)).join(' | ')} |`,
    `| CPU to converge, s | ${cols.map((r) => sum(r.cpuSeconds)).join(' | ')} |`,
    `| RSS converged / fresh, MiB | ${cols.map((r) => `${sum(r.rssConvergedMiB)} / ${sum(r.rssFreshMiB)}`).join(' | ')} |`,
    `| requests (Events among them) | ${cols.map((r) => `${sum(r.requests, 0)} (${sum(r.events, 0)})`).join(' | ')} |`,
    `| requests per model | ${cols.map((r) => r.requestsPerModel.total.toFixed(2)).join(' | ')} |`,
    ...verbs.map((v) => `| — ${v} | ${cols.map((r) => (r.requestsPerModel.byVerb[v] ?? 0).toFixed(2)).join(' | ')} |`),
    `| busy interval, s | ${cols.map((r) => sum(r.busySeconds)).join(' | ')} |`,
    `| requests/s: mean over it / peak second | ${cols.map((r) => `${sum(r.meanRequestsPerSecond)} / ${sum(r.peakRequestsPerSecond, 0)}`).join(' | ')} |`,
  ];
  return lines.join('\n');
}
