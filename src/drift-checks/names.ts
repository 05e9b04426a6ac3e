// PURE: names of the drift Jobs, derived from what they do alone, never from chance: the profile Job
// from the version and reference it profiles, a check Job from its scheduled time. A restarted operator
// renders the same name, and creating an existing name fails, so no Job is started twice.
//
// Length: a Job's name is a label value (batch.kubernetes.io/job-name, at most 63) and its pods are
// `<job>-<5 random>`; keeping the Job at 57 keeps the pods' names (and hostnames) DNS labels.
// ModelDeployment names that leave too little room are cut and marked with a hash of the whole name.
import { createHash } from 'node:crypto';
import { DNS_LABEL_MAX } from '../api/limits.ts';

export const MAX_DRIFT_JOB_NAME = DNS_LABEL_MAX - 6;
const HASH_LENGTH = 5;

function shortHash(text: string): string {
  return BigInt(`0x${createHash('sha256').update(text).digest('hex').slice(0, 12)}`).toString(36).padStart(HASH_LENGTH, '0').slice(-HASH_LENGTH);
}

function withPrefix(mdName: string, tail: string): string {
  const plain = `${mdName}-${tail}`;
  if (plain.length <= MAX_DRIFT_JOB_NAME) return plain;
  const room = MAX_DRIFT_JOB_NAME - tail.length - HASH_LENGTH - 2;
  const cut = mdName.slice(0, Math.max(room, 1)).replace(/-+$/, '');
  return `${cut}-${shortHash(mdName)}-${tail}`;
}

/** `<md>-profile-<hash of version and reference>`: a new profile for a new version or reference. */
export function profileJobName(mdName: string, version: string, reference: unknown): string {
  return withPrefix(mdName, `profile-${shortHash(JSON.stringify([version, reference]))}`);
}

/** `<md>-drift-<yyyymmddhhmm>` of the scheduled time in UTC (cron has minute precision). */
export function checkJobName(mdName: string, scheduledTime: Date): string {
  const iso = scheduledTime.toISOString();
  const stamp = iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16);
  return withPrefix(mdName, `drift-${stamp}`);
}
