// Where logged records live on object storage: Hive-style partitions that DuckDB, Spark and pandas read
// as columns. `<base>/namespace=<ns>/model=<name>/version=<v>/date=<YYYY-MM-DD>/hour=<HH>/<pod>-<ms>-<seq>.jsonl`,
// UTC. Pure.

/** A partition value: characters outside [A-Za-z0-9._-] percent-encoded (UTF-8), as Hive does. */
export function partitionValue(value: string): string {
  return Array.from(new TextEncoder().encode(value), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9._-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');
}

/** The folder of one model's records (every version), ending in '/'. */
export function modelPrefix(base: string, namespace: string, model: string): string {
  return `${base === '' ? '' : `${base}/`}namespace=${partitionValue(namespace)}/model=${partitionValue(model)}/`;
}

export function hourPartition(ms: number): { readonly date: string; readonly hour: string } {
  const iso = new Date(ms).toISOString();
  return { date: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

export function versionPrefix(base: string, namespace: string, model: string, version: string): string {
  return `${modelPrefix(base, namespace, model)}version=${partitionValue(version)}/`;
}

/** The key of one file: its hour partition is the hour of `recordMs` (a file never spans two hours). */
export function logFileKey(base: string, id: { namespace: string; model: string; version: string; pod: string }, recordMs: number, nowMs: number, seq: number): string {
  const { date, hour } = hourPartition(recordMs);
  return `${versionPrefix(base, id.namespace, id.model, id.version)}date=${date}/hour=${hour}/${id.pod}-${nowMs}-${seq}.jsonl`;
}

/** The hour of a key under a model prefix (`.../date=D/hour=H/...`) as its start in ms, or undefined. */
export function hourOfKey(key: string): number | undefined {
  const m = /\/date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\//.exec(key);
  return m === null ? undefined : Date.parse(`${m[1]}T${m[2]}:00:00Z`);
}

/** The UTC dates (YYYY-MM-DD) from `nowMs` back to `nowMs - lookbackMs`, newest first. */
export function datesBack(nowMs: number, lookbackMs: number): string[] {
  const out: string[] = [];
  const first = Date.parse(`${new Date(nowMs - lookbackMs).toISOString().slice(0, 10)}T00:00:00Z`);
  for (let day = Date.parse(`${new Date(nowMs).toISOString().slice(0, 10)}T00:00:00Z`); day >= first; day -= 86_400_000) {
    out.push(new Date(day).toISOString().slice(0, 10));
  }
  return out;
}

/**
 * Log files to scan for labels, newest hour first (and newest file first within an hour), keeping those
 * whose hour ends after `nowMs - lookbackMs`.
 */
export function scanOrder(keys: readonly string[], nowMs: number, lookbackMs: number): string[] {
  const since = nowMs - lookbackMs;
  const withHour = keys.flatMap((key) => {
    const hour = hourOfKey(key);
    if (hour === undefined || hour + 3_600_000 <= since || !key.endsWith('.jsonl')) return [];
    const written = /-(\d+)-(\d+)\.jsonl$/.exec(key);
    return [{ key, hour, written: written === null ? 0 : Number(written[1]) }];
  });
  withHour.sort((a, b) => b.hour - a.hour || b.written - a.written || (a.key < b.key ? 1 : -1));
  return withHour.map((k) => k.key);
}
