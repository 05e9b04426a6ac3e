// The shard markers and the run's manifest. The manifest's bytes depend only on the markers, so two shards
// finishing together write the same object. Pure.

export interface WrittenFile {
  /** Key (or path) relative to the run folder. */
  readonly key: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface ShardMarker {
  readonly shard: number;
  readonly shards: number;
  readonly records: number;
  readonly scored: number;
  readonly failed: number;
  readonly parts: readonly WrittenFile[];
  readonly errors: WrittenFile | null;
  readonly modelVersion: string | null;
  readonly finishedAt: string;
}

export const partKey = (shard: number) => `part-${String(shard).padStart(5, '0')}.jsonl`;
export const errorsKey = (shard: number) => `errors/part-${String(shard).padStart(5, '0')}.jsonl`;
export const markerKey = (shard: number) => `_shards/${shard}.json`;
export const MANIFEST_KEY = '_manifest.json';
export const FAILED_KEY = '_failed.json';

function isFile(v: unknown): v is WrittenFile {
  if (typeof v !== 'object' || v === null) return false;
  const f = v as Record<string, unknown>;
  return typeof f.key === 'string' && typeof f.bytes === 'number' && typeof f.sha256 === 'string';
}

/** A marker read back, or undefined when it is not one. */
export function parseMarker(text: string): ShardMarker | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const m = v as Record<string, unknown>;
  const nums = ['shard', 'shards', 'records', 'scored', 'failed'].every((k) => typeof m[k] === 'number');
  if (!nums || !Array.isArray(m.parts) || !m.parts.every(isFile) || !(m.errors === null || isFile(m.errors)) || typeof m.finishedAt !== 'string') return undefined;
  if (!(m.modelVersion === null || typeof m.modelVersion === 'string')) return undefined;
  return v as ShardMarker;
}

export function markerJson(m: ShardMarker): string {
  const file = (f: WrittenFile) => ({ key: f.key, bytes: f.bytes, sha256: f.sha256 });
  return `${JSON.stringify({
    shard: m.shard, shards: m.shards, records: m.records, scored: m.scored, failed: m.failed,
    parts: m.parts.map(file), errors: m.errors === null ? null : file(m.errors), modelVersion: m.modelVersion, finishedAt: m.finishedAt,
  })}\n`;
}

export type RunOutcome =
  | { readonly kind: 'incomplete'; readonly missing: readonly number[] }
  | { readonly kind: 'manifest'; readonly json: string; readonly records: number; readonly scored: number; readonly failed: number }
  | { readonly kind: 'failed'; readonly json: string; readonly failed: number };

/** What the run folder gets once the markers are read: nothing yet, its manifest, or `_failed.json`. */
export function finalizeRun(run: string, model: string, shards: number, maxFailedRecords: number, markers: readonly ShardMarker[]): RunOutcome {
  const byShard = new Map(markers.filter((m) => m.shards === shards).map((m) => [m.shard, m]));
  const missing = Array.from({ length: shards }, (_, i) => i).filter((i) => !byShard.has(i));
  if (missing.length > 0) return { kind: 'incomplete', missing };
  const ordered = Array.from({ length: shards }, (_, i) => byShard.get(i)!);
  const records = ordered.reduce((s, m) => s + m.records, 0);
  const scored = ordered.reduce((s, m) => s + m.scored, 0);
  const failed = ordered.reduce((s, m) => s + m.failed, 0);
  const completedAt = ordered.map((m) => m.finishedAt).sort().at(-1)!;
  const modelVersion = ordered.find((m) => m.modelVersion !== null)?.modelVersion ?? null;
  if (failed > maxFailedRecords) {
    const json = `${JSON.stringify({ run, model, reason: 'TooManyBadRecords', message: `${failed} bad records, more than --max-failed-records ${maxFailedRecords}`, records, scored, failed, failedAt: completedAt })}\n`;
    return { kind: 'failed', json, failed };
  }
  const json = `${JSON.stringify({
    run, model, modelVersion, shards, records, scored, failed,
    parts: ordered.flatMap((m) => m.parts.map((f) => ({ key: f.key, bytes: f.bytes, sha256: f.sha256 }))),
    errors: ordered.flatMap((m) => (m.errors === null ? [] : [{ key: m.errors.key, bytes: m.errors.bytes, sha256: m.errors.sha256 }])),
    completedAt,
  })}\n`;
  return { kind: 'manifest', json, records, scored, failed };
}
