// What a target answers to a send, and what it says of the run later.
import type { RetrainingState } from '../api/retraining-status.ts';

export type SendResult =
  /** Accepted now, or already accepted earlier under the same id (the idempotency key). */
  | { readonly ok: true; readonly runId: string; readonly duplicate: boolean }
  | { readonly ok: false; readonly message: string };

export interface RunOutcome {
  readonly state: Extract<RetrainingState, 'Sent' | 'Running' | 'Succeeded' | 'Failed'>;
  readonly message?: string;
}
