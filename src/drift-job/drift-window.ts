// The traffic a check judges: the records of one version whose `time` is in [end - window, end), read from
// the hour partitions that overlap that interval (agent/layout.ts) and no others. Pure.
import { hourOfKey, hourPartition, versionPrefix } from '../agent/layout.ts';

const HOUR_MS = 3_600_000;

export interface DriftWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/** The prefixes `.../version=<v>/date=D/hour=H/` of every hour that overlaps [startMs, endMs), oldest first. */
export function windowPrefixes(base: string, namespace: string, model: string, version: string, window: DriftWindow): string[] {
  return hourPrefixes(versionPrefix(base, namespace, model, version), window);
}

/** `<root>date=D/hour=H/` of every hour that overlaps the window, oldest first; `root` is a version's folder. */
export function hourPrefixes(root: string, window: DriftWindow): string[] {
  const out: string[] = [];
  for (let hour = Math.floor(window.startMs / HOUR_MS) * HOUR_MS; hour < window.endMs; hour += HOUR_MS) {
    const { date, hour: hh } = hourPartition(hour);
    out.push(`${root}date=${date}/hour=${hh}/`);
  }
  return out;
}

/** Whether a listed key is a log file of a window's hour (a listing may return more than asked for). */
export function isWindowFile(key: string, window: DriftWindow): boolean {
  const hour = hourOfKey(key);
  return hour !== undefined && key.endsWith('.jsonl') && hour < window.endMs && hour + HOUR_MS > window.startMs;
}

/** Whether a record's `time` is inside the window (start inclusive, end exclusive). */
export function inWindow(time: unknown, window: DriftWindow): boolean {
  if (typeof time !== 'string') return false;
  const ms = Date.parse(time);
  return Number.isFinite(ms) && ms >= window.startMs && ms < window.endMs;
}
