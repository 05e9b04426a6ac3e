// The profile of a categorical feature: the reference frequencies of its top-K categories and one "other"
// bucket for the rest (including categories first seen in the current window), so its size is bounded
// however many distinct values the data has.

export const DEFAULT_TOP_K = 20;
export const MAX_TOP_K = 100;

export interface CategoricalProfile {
  readonly kind: 'categorical';
  /** The top-K categories, most frequent first (ties by name, so the profile is deterministic). */
  readonly categories: readonly string[];
  /** Reference counts: one per category, then the "other" bucket. */
  readonly counts: readonly number[];
  /** Values that were null or undefined. */
  readonly missing: number;
}

export type CategoricalValue = string | number | boolean | null | undefined;

export function categoricalProfile(values: Iterable<CategoricalValue>, options: { topK?: number } = {}): CategoricalProfile {
  const topK = Math.min(Math.max(Math.trunc(options.topK ?? DEFAULT_TOP_K), 1), MAX_TOP_K);
  const frequencies = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (v === null || v === undefined) missing++;
    else frequencies.set(String(v), (frequencies.get(String(v)) ?? 0) + 1);
  }
  const ranked = [...frequencies].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const top = ranked.slice(0, topK);
  const other = ranked.slice(topK).reduce((s, [, c]) => s + c, 0);
  return { kind: 'categorical', categories: top.map(([k]) => k), counts: [...top.map(([, c]) => c), other], missing };
}

/** Current counts over the profile's categories, then "other"; missing values are left out. */
export function categoryCounts(categories: readonly string[], values: Iterable<CategoricalValue>): number[] {
  const index = new Map(categories.map((c, i) => [c, i]));
  const counts = new Array<number>(categories.length + 1).fill(0);
  for (const v of values) {
    if (v === null || v === undefined) continue;
    counts[index.get(String(v)) ?? categories.length]!++;
  }
  return counts;
}
