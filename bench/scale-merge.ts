// PURE: a scale run that measures only some counts (e.g. `--counts=10000 --keep-levels`) keeps the other
// levels of the previous result, so a two-hour level can be run on its own. Only levels measured with the
// same client and component settings are kept, each with where and when it was measured.

export interface MeasuredRun {
  readonly count: number;
  /** When and on which commit this level ran (kept levels keep their own). */
  readonly measured?: { readonly at: string; readonly commit: string; readonly command: string };
  readonly [key: string]: unknown;
}

export interface PreviousScaleResult {
  readonly at?: string;
  readonly command?: string;
  readonly versions?: { readonly commit?: string };
  readonly settings?: { readonly client?: unknown; readonly componentQps?: unknown };
  readonly levels?: unknown;
  readonly runs?: unknown;
}

export interface KeptLevels<L extends { modelDeployments: number }> {
  readonly levels: L[];
  readonly runs: MeasuredRun[];
}

/**
 * The previous result's levels and runs for counts not measured now. Throws when its settings differ,
 * because figures at different client settings do not make one growth curve.
 */
export function keptLevels<L extends { modelDeployments: number }>(
  previous: PreviousScaleResult,
  now: { counts: readonly number[]; client: unknown; componentQps: number },
): KeptLevels<L> {
  const same = JSON.stringify(previous.settings?.client) === JSON.stringify(now.client) && previous.settings?.componentQps === now.componentQps;
  if (!same) {
    throw new Error(
      `--keep-levels: the previous result ran with client ${JSON.stringify(previous.settings?.client)} and component QPS ${String(previous.settings?.componentQps)}, ` +
        `this run with ${JSON.stringify(now.client)} and ${now.componentQps}; run every count again instead`,
    );
  }
  const levels = (Array.isArray(previous.levels) ? (previous.levels as L[]) : []).filter((l) => !now.counts.includes(l.modelDeployments));
  const fallback = { at: previous.at ?? '', commit: previous.versions?.commit ?? '', command: previous.command ?? '' };
  const runs = (Array.isArray(previous.runs) ? (previous.runs as MeasuredRun[]) : [])
    .filter((r) => !now.counts.includes(r.count))
    .map((r) => ({ ...r, measured: r.measured ?? fallback }));
  return { levels, runs };
}
