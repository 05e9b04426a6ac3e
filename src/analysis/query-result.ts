// What the controller hands back for each planned query: the scalar it got, undefined for an empty
// result (no series matched), the series of a grouped query by their label, or why the query could not be
// run. Readers here turn that into what a check needs and never let a missing or broken result pass for data.

export type QueryResult = number | undefined | { readonly error: string } | { readonly groups: ReadonlyMap<string, number> };
export type QueryResults = ReadonlyMap<string, QueryResult>;

export interface QueryFailure {
  id: string;
  error: string;
}

export type Reading<T> = { value: T } | { failures: QueryFailure[] };

/** The value (undefined: no data); an id the controller did not run is a failure, not "no data". */
export function readValue(results: QueryResults, id: string): Reading<number | undefined> {
  if (!results.has(id)) return { failures: [{ id, error: 'not run' }] };
  const r = results.get(id);
  if (typeof r === 'object') return { failures: [{ id, error: 'error' in r ? r.error : 'several series where one number was expected' }] };
  return { value: r };
}

/**
 * Counts by label value of a grouped query: NaN or infinite counts are a failure, negative ones (never
 * from increase()) 0. A scalar answer is a failure: the query was not the grouped one planned.
 */
export function readGroups(results: QueryResults, id: string): Reading<ReadonlyMap<string, number>> {
  if (!results.has(id)) return { failures: [{ id, error: 'not run' }] };
  const r = results.get(id);
  if (r === undefined) return { value: new Map() };
  if (typeof r !== 'object' || 'error' in r) return { failures: [{ id, error: typeof r === 'object' ? r.error : 'one number where series were expected' }] };
  const out = new Map<string, number>();
  for (const [key, v] of r.groups) {
    if (!Number.isFinite(v)) return { failures: [{ id, error: `the count of ${key} is ${v}` }] };
    out.set(key, Math.max(0, v));
  }
  return { value: out };
}

/**
 * A request count: no series is 0 (nothing counted yet); a NaN or infinite count cannot be a count,
 * so it is a failure rather than evidence either way.
 */
export function readCount(results: QueryResults, id: string): Reading<number> {
  const r = readValue(results, id);
  if ('failures' in r) return r;
  if (r.value === undefined) return { value: 0 };
  if (!Number.isFinite(r.value)) return { failures: [{ id, error: `the count is ${r.value}` }] };
  return { value: Math.max(0, r.value) };
}

/** Several counts by name, or every failure (one broken query spoils the comparison). */
export function readCounts<K extends string>(results: QueryResults, ids: Readonly<Record<K, string>>): Reading<Record<K, number>> {
  const counts: Partial<Record<K, number>> = {};
  const failures: QueryFailure[] = [];
  for (const key of Object.keys(ids) as K[]) {
    const r = readCount(results, ids[key]);
    if ('failures' in r) failures.push(...r.failures);
    else counts[key] = r.value;
  }
  return failures.length > 0 ? { failures } : { value: counts as Record<K, number> };
}

/** One line per distinct error, naming its queries: Prometheus down fails them all the same way. */
export function describeFailures(failures: readonly QueryFailure[]): string {
  const byError = new Map<string, string[]>();
  for (const f of failures) byError.set(f.error, [...(byError.get(f.error) ?? []), f.id]);
  return [...byError].map(([error, ids]) => `${ids.join(', ')}: ${error}`).join('; ');
}
