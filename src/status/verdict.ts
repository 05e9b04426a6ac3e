// A condition's reason and message, as decided by the stall and progress checks.
import type { ConditionReason, ForeignReason } from '../api/reasons.ts';

export interface Verdict {
  reason: ConditionReason | ForeignReason;
  message: string;
}

/** Conditions are read in `kubectl describe` and Argo CD: keep them readable and well under the API limit. */
export const MAX_MESSAGE_LENGTH = 1024;

export function clip(message: string): string {
  return message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}

/** Observations arrive in cache order; sorting keeps messages, and so status, stable between reconciles. */
export function byName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** " (and 2 more pods)" when a message shows only the first of several. */
export function andMore(count: number, noun: string): string {
  return count > 1 ? ` (and ${count - 1} more ${noun})` : '';
}
