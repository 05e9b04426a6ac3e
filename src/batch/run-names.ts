// PURE: names of batch runs. A run is one Indexed Job named after the run, so the name is the run's
// identity: derived from the scheduled time (or the manual trigger's time) alone, never from chance.
// A restarted operator renders the same name for the same scheduled time, and creating an existing
// name fails, so a run is never started twice.
//
// Length: an Indexed Job's pods are `<job>-<index>-<5 random>` and their hostname is `<job>-<index>`;
// both must stay a DNS label (63). With at most MAX_SHARDS shards the index has at most 3 digits, so a
// run name gets 63 - (1 + 3 + 1 + 5) = 53 characters. ModelDeployment names (at most 42) that leave
// too little room are cut and marked with a hash of the whole name, so two long names sharing a
// prefix still give different runs.
import { createHash } from 'node:crypto';
import { DNS_LABEL_MAX } from '../api/limits.ts';

/** Most shards of one run: Job pods' indexes then have at most 3 digits. */
export const MAX_SHARDS = 1000;

/** `-<index>-<5 random>` the Job controller appends for a pod, with at most MAX_SHARDS indexes. */
const POD_SUFFIX_LENGTH = 1 + String(MAX_SHARDS - 1).length + 1 + 5;

/** Longest run (and Job) name whose pods' names are DNS labels. */
export const MAX_RUN_NAME_LENGTH = DNS_LABEL_MAX - POD_SUFFIX_LENGTH;

const HASH_LENGTH = 5;

/** yyyymmddhhmm (and ss) in UTC: a fixed width, so names sort by time. */
function stamp(at: Date, seconds: boolean): string {
  const iso = at.toISOString(); // 2026-12-03T23:10:03.000Z
  const digits = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16);
  return seconds ? digits + iso.slice(17, 19) : digits;
}

function shortHash(text: string): string {
  return BigInt(`0x${createHash('sha256').update(text).digest('hex').slice(0, 12)}`).toString(36).padStart(HASH_LENGTH, '0').slice(-HASH_LENGTH);
}

/** `<md>-<tail>`, or `<md cut>-<hash of md>-<tail>` when that would exceed MAX_RUN_NAME_LENGTH. */
function withPrefix(modelDeploymentName: string, tail: string): string {
  const plain = `${modelDeploymentName}-${tail}`;
  if (plain.length <= MAX_RUN_NAME_LENGTH) return plain;
  const room = MAX_RUN_NAME_LENGTH - tail.length - HASH_LENGTH - 2;
  // A cut may end in '-'; a DNS label's segments must not, and `--` would look like a separator.
  const cut = modelDeploymentName.slice(0, Math.max(room, 1)).replace(/-+$/, '');
  return `${cut}-${shortHash(modelDeploymentName)}-${tail}`;
}

/** A scheduled run: `<md>-<yyyymmddhhmm>` of the scheduled time in UTC (cron has minute precision). */
export function scheduledRunName(modelDeploymentName: string, scheduledTime: Date): string {
  return withPrefix(modelDeploymentName, stamp(scheduledTime, false));
}

/** A manual run: `<md>-m<yyyymmddhhmmss>` of the time the trigger was handled, in UTC. */
export function manualRunName(modelDeploymentName: string, triggeredAt: Date): string {
  return withPrefix(modelDeploymentName, `m${stamp(triggeredAt, true)}`);
}
