// PURE: the operator's request annotations (docs/rollouts.md): promote, abort, rollback, retry.
// Each holds an id; the machine acts on an id once and records it in status.rollout.handledRequests.
import { createHash } from 'node:crypto';
import { MAX_SHORT_STRING } from '../api/limits.ts';
import { ABORT_ANNOTATION, PROMOTE_ANNOTATION, RETRY_ANNOTATION, ROLLBACK_ANNOTATION } from '../api/rollout-annotations.ts';

export interface RollbackRequest {
  /** The whole annotation value: a new value is a new request. */
  id: string;
  /** The revision to serve; undefined: the newest known-good revision other than stable. */
  revision?: number;
}

export interface RolloutRequests {
  promote?: string;
  abort?: string;
  retry?: string;
  rollback?: RollbackRequest;
}

/**
 * An id as status can keep it: ids longer than status allows are replaced by their hash, so a
 * long id is still acted on once.
 */
export function requestId(value: string | undefined): string | undefined {
  const id = value?.trim();
  if (id === undefined || id === '') return undefined;
  if (id.length <= MAX_SHORT_STRING) return id;
  return `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

/**
 * Reads the request annotations. `modelship.io/rollback: <id>/<revision>` names a revision;
 * when the part after the last '/' is not a revision number the whole value is the id and the
 * rollback goes to the newest known-good revision other than stable.
 */
export function parseRolloutRequests(annotations: Readonly<Record<string, string>> | undefined): RolloutRequests {
  const out: RolloutRequests = {};
  const promote = requestId(annotations?.[PROMOTE_ANNOTATION]);
  const abort = requestId(annotations?.[ABORT_ANNOTATION]);
  const retry = requestId(annotations?.[RETRY_ANNOTATION]);
  if (promote !== undefined) out.promote = promote;
  if (abort !== undefined) out.abort = abort;
  if (retry !== undefined) out.retry = retry;
  const rollbackValue = annotations?.[ROLLBACK_ANNOTATION]?.trim();
  const rollbackId = requestId(rollbackValue);
  if (rollbackValue !== undefined && rollbackId !== undefined) {
    const match = /\/([1-9][0-9]{0,14})$/.exec(rollbackValue);
    out.rollback = match ? { id: rollbackId, revision: Number(match[1]) } : { id: rollbackId };
  }
  return out;
}
