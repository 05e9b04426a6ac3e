// PURE: the canary's percent of a weighted split, as routers count weights (absent means 1).
export interface WeightedRef {
  name?: string;
  weight?: number;
}

export function canaryShare(refs: readonly WeightedRef[] | undefined, canaryService: string): number {
  const total = (refs ?? []).reduce((n, r) => n + (r.weight ?? 1), 0);
  const canary = (refs ?? []).filter((r) => r.name === canaryService).reduce((n, r) => n + (r.weight ?? 1), 0);
  return total > 0 ? Math.round((100 * canary) / total) : 0;
}
