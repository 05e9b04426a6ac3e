// The built-in drift check: are the canary's predictions distributed as stable's over the same window?
// Chi-squared homogeneity on the 2×k table of their counts (drift-table.ts; SciPy's chi2_contingency
// without correction, src/drift), plus the Jensen–Shannon distance as the effect size. Fail needs both: a
// significant difference (p <= the look's alpha) AND a large one (distance >= threshold), so a negligible
// shift on heavy traffic does not roll back; Inconclusive below minSamples per variant; Pass otherwise.
//
// Multiple looks. The counts are cumulative since the analysis started (as for the error-rate and accuracy
// tests) and the check is taken every interval, so an unadjusted alpha at every look would fail a healthy
// canary far more often than alpha over a rollout. The chi-squared test has no always-valid form like the
// mSPRT of the other two, so alpha is spent over the looks instead: look k (the k-th measurement of this
// canary, status.analysis.runs + 1) tests at alpha / (k (k + 1)). These sum to alpha (1 - 1/(K+1)) < alpha
// over any number K of looks, so by the union bound the chance of any false Fail over the whole rollout is
// below alpha however long it runs (a pause without end included), with no maximum number of looks to
// declare. Early looks get the most (alpha/2, alpha/6, ...): a broken preprocessing shows as soon as the
// counts allow, and a real shift keeps growing its statistic with the counts while the level shrinks only
// polynomially. Test: test/unit/analysis/drift-simulation.test.ts.
import { DEFAULT_DRIFT_ALPHA, DEFAULT_DRIFT_MIN_SAMPLES, DEFAULT_DRIFT_THRESHOLD } from '../api/analysis-spec.ts';
import type { DriftSpec } from '../api/analysis-spec.ts';
import type { Measurement } from '../api/analysis-status.ts';
import { chiSquaredHomogeneity } from '../drift/chi-squared.ts';
import { jensenShannonDistance } from '../drift/distribution-distance.ts';
import { driftTable, type DriftTable } from './drift-table.ts';
import { measurement, percent, requestCount, short } from './measurement-format.ts';
import { queryIds } from './query-ids.ts';
import { describeFailures, readGroups, type QueryFailure } from './query-result.ts';
import type { QueryResults } from './query-result.ts';

/** The level look `look` (1, 2, ...) tests at: alpha / (look (look + 1)), summing to less than alpha over every look. */
export function driftLookAlpha(alpha: number, look: number): number {
  const k = Number.isFinite(look) ? Math.max(1, Math.floor(look)) : 1;
  return alpha / (k * (k + 1));
}

export interface DriftResult {
  readonly verdict: 'Pass' | 'Fail' | 'Inconclusive';
  readonly stableSamples: number;
  readonly canarySamples: number;
  readonly table: DriftTable;
  /** Absent below minSamples (or with fewer than two cells). */
  readonly statistic?: number;
  readonly dof?: number;
  readonly pValue?: number;
  readonly jensenShannon?: number;
  readonly lookAlpha: number;
}

export interface DriftCheckSettings {
  readonly alpha: number;
  readonly minSamples: number;
  readonly threshold: number;
}

export function driftSettings(spec: DriftSpec): DriftCheckSettings {
  return {
    alpha: spec.alpha ?? DEFAULT_DRIFT_ALPHA,
    minSamples: spec.minSamples ?? DEFAULT_DRIFT_MIN_SAMPLES,
    threshold: spec.effectSize?.threshold ?? DEFAULT_DRIFT_THRESHOLD,
  };
}

/** The verdict on one table at look `look`. Pure. */
export function judgeDrift(table: DriftTable, settings: DriftCheckSettings, look: number): DriftResult {
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const stableSamples = sum(table.stable);
  const canarySamples = sum(table.canary);
  const lookAlpha = driftLookAlpha(settings.alpha, look);
  const base = { stableSamples, canarySamples, table, lookAlpha };
  if (!(stableSamples >= settings.minSamples && canarySamples >= settings.minSamples)) return { ...base, verdict: 'Inconclusive' };
  const chi2 = chiSquaredHomogeneity(table.stable, table.canary);
  const jensenShannon = jensenShannonDistance(table.stable, table.canary);
  const fail = chi2.pValue <= lookAlpha && jensenShannon >= settings.threshold;
  return { ...base, verdict: fail ? 'Fail' : 'Pass', statistic: chi2.statistic, dof: chi2.dof, pValue: chi2.pValue, jensenShannon };
}

/** The cells whose share moved most, for a person: `"2" 41% vs 12%`. */
function largestShifts(t: DriftTable, n: number): string {
  const ts = t.stable.reduce((a, b) => a + b, 0);
  const tc = t.canary.reduce((a, b) => a + b, 0);
  if (ts === 0 || tc === 0) return '';
  return t.cells
    .map((cell, i) => ({ cell, s: t.stable[i]! / ts, c: t.canary[i]! / tc }))
    .sort((a, b) => Math.abs(b.c - b.s) - Math.abs(a.c - a.s))
    .slice(0, n)
    .map((x) => `${JSON.stringify(x.cell)} ${percent(x.c)} vs ${percent(x.s)}`)
    .join(', ');
}

export function evaluateDrift(check: string, spec: DriftSpec, results: QueryResults, look: number): Measurement {
  const settings = driftSettings(spec);
  const lookAlpha = driftLookAlpha(settings.alpha, look);
  const threshold = `p <= ${short(lookAlpha)} (alpha ${settings.alpha} at look ${Math.max(1, Math.floor(look))}); js >= ${settings.threshold}; ${settings.minSamples} predictions per variant`;
  const failures: QueryFailure[] = [];
  const counts = (variant: 'stable' | 'canary') => {
    const read = (id: string) => {
      const r = readGroups(results, id);
      if ('failures' in r) {
        failures.push(...r.failures);
        return new Map<string, number>();
      }
      return r.value;
    };
    return { categories: read(queryIds.driftCategories(variant)), buckets: read(queryIds.driftBuckets(variant)) };
  };
  const stable = counts('stable');
  const canary = counts('canary');
  if (failures.length > 0) return measurement({ check, verdict: 'Error', threshold, message: describeFailures(failures) });

  const r = judgeDrift(driftTable(stable, canary), settings, look);
  const nc = requestCount(r.canarySamples);
  const ns = requestCount(r.stableSamples);
  const over = `over ${nc} vs ${ns} predictions`;
  let message: string;
  if (r.verdict === 'Inconclusive') {
    message =
      nc === 0 && ns === 0
        ? 'no predictions counted for either variant: the inference agent counts OIP v2 outputs[0] and v1 predictions of 2xx responses to POST requests'
        : `needs ${settings.minSamples} predictions per variant before deciding (canary ${nc}, stable ${ns})`;
  } else {
    const p = short(r.pValue ?? 1);
    const js = short(r.jensenShannon ?? 0);
    if (r.verdict === 'Fail') message = `canary predictions are distributed differently from stable's ${over}: p ${p} <= ${short(lookAlpha)} and Jensen–Shannon ${js} >= ${settings.threshold}; most changed (canary vs stable): ${largestShifts(r.table, 3)}`;
    else if ((r.pValue ?? 1) > lookAlpha) message = `no significant difference between canary and stable predictions ${over}: p ${p} > ${short(lookAlpha)} (Jensen–Shannon ${js})`;
    else message = `canary and stable predictions differ significantly but little ${over}: Jensen–Shannon ${js} < ${settings.threshold} (p ${p})`;
  }
  return measurement({
    check,
    verdict: r.verdict,
    value: r.jensenShannon,
    samples: nc,
    stableSamples: ns,
    ...(r.pValue !== undefined ? { statistic: `chi2=${short(r.statistic ?? 0)} dof=${r.dof ?? 0} p=${short(r.pValue)} js=${short(r.jensenShannon ?? 0)}` } : {}),
    threshold,
    message,
  });
}
