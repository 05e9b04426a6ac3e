// The 2×k table the drift check tests: stable's and canary's predictions over the same cells, the
// categories the agent counted and the bins of its real-value histogram side by side (a revision that
// answers reals where the other answered classes differs in every cell). Pure.
//
// Two merges keep the chi-squared approximation honest:
// - Beyond its cap a pod counts new values as __other__, and which values those are depends on the order
//   each pod saw them. When either side has __other__, a category missing on one side may only be hidden
//   in that side's __other__, so such categories are merged into __other__.
// - Cells whose expected count is below MIN_EXPECTED on either side are pooled into one: the chi-squared
//   distribution describes the statistic badly for near-empty cells.

/** The label value of categories beyond the agent's cap (src/agent/prediction-counter.ts). */
export const OTHER_CATEGORY = '__other__';
export const POOLED_CELL = '(sparse cells)';
export const MIN_EXPECTED = 5;

export interface PredictionCounts {
  /** Categorical predictions by value. */
  readonly categories: ReadonlyMap<string, number>;
  /** Real-valued predictions by cumulative bucket, keyed by Prometheus' `le` ("0.5", "+Inf"). */
  readonly buckets: ReadonlyMap<string, number>;
}

export interface DriftTable {
  readonly cells: readonly string[];
  readonly stable: readonly number[];
  readonly canary: readonly number[];
}

function bound(le: string): number {
  return le === '+Inf' ? Infinity : Number(le);
}

/** Per-bin counts from cumulative buckets: the union of both sides' bounds, a side missing one carries its last count. */
function bins(stable: ReadonlyMap<string, number>, canary: ReadonlyMap<string, number>): { cells: string[]; stable: number[]; canary: number[] } {
  const byBound = (m: ReadonlyMap<string, number>) => new Map([...m].map(([le, v]) => [bound(le), v] as const).filter(([b]) => !Number.isNaN(b)));
  const s = byBound(stable);
  const c = byBound(canary);
  const bounds = [...new Set([...s.keys(), ...c.keys()])].sort((x, y) => x - y);
  const out = { cells: [] as string[], stable: [] as number[], canary: [] as number[] };
  let previous = -Infinity;
  let lastS = 0;
  let lastC = 0;
  for (const b of bounds) {
    const cumS = Math.max(lastS, s.get(b) ?? lastS);
    const cumC = Math.max(lastC, c.get(b) ?? lastC);
    out.cells.push(`(${previous === -Infinity ? '-Inf' : previous}, ${b === Infinity ? '+Inf' : b}]`);
    out.stable.push(cumS - lastS);
    out.canary.push(cumC - lastC);
    previous = b;
    lastS = cumS;
    lastC = cumC;
  }
  return out;
}

function categories(stable: ReadonlyMap<string, number>, canary: ReadonlyMap<string, number>): { cells: string[]; stable: number[]; canary: number[] } {
  const capped = (stable.get(OTHER_CATEGORY) ?? 0) > 0 || (canary.get(OTHER_CATEGORY) ?? 0) > 0;
  const merged = new Map<string, [number, number]>();
  for (const key of [...new Set([...stable.keys(), ...canary.keys()])].sort()) {
    const s = stable.get(key) ?? 0;
    const c = canary.get(key) ?? 0;
    const cell = capped && (s === 0 || c === 0) ? OTHER_CATEGORY : key;
    const [ms, mc] = merged.get(cell) ?? [0, 0];
    merged.set(cell, [ms + s, mc + c]);
  }
  return { cells: [...merged.keys()], stable: [...merged.values()].map(([s]) => s), canary: [...merged.values()].map(([, c]) => c) };
}

export function driftTable(stable: PredictionCounts, canary: PredictionCounts): DriftTable {
  const parts = [categories(stable.categories, canary.categories), bins(stable.buckets, canary.buckets)];
  const cells = parts.flatMap((p) => p.cells);
  const s = parts.flatMap((p) => p.stable);
  const c = parts.flatMap((p) => p.canary);
  const totalS = s.reduce((a, b) => a + b, 0);
  const totalC = c.reduce((a, b) => a + b, 0);
  const total = totalS + totalC;
  const out = { cells: [] as string[], stable: [] as number[], canary: [] as number[] };
  let pooledS = 0;
  let pooledC = 0;
  for (let i = 0; i < cells.length; i++) {
    const column = s[i]! + c[i]!;
    if (column === 0) continue;
    const expected = total > 0 ? (Math.min(totalS, totalC) * column) / total : 0;
    if (expected < MIN_EXPECTED) {
      pooledS += s[i]!;
      pooledC += c[i]!;
      continue;
    }
    out.cells.push(cells[i]!);
    out.stable.push(s[i]!);
    out.canary.push(c[i]!);
  }
  if (pooledS + pooledC > 0) {
    out.cells.push(POOLED_CELL);
    out.stable.push(pooledS);
    out.canary.push(pooledC);
  }
  return out;
}
