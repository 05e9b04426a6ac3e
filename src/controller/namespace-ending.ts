// A ModelDeployment whose namespace is being deleted (or that is itself gone) needs nothing more: its
// children go with the namespace. Deleting a namespace of 50 ModelDeployments gave 411 warnings in 7 s,
// applies refused "because it is being terminated" and retried with backoff, status patches answered
// 404, Warning Events refused in turn. Such a refusal now ends the reconcile quietly: no retry, no
// status, no Event, one debug line.
import type { Logger } from 'pino';
import { isNamespaceTerminating, isNotFound } from '../kube/api-error.ts';

/** An apply refused because the namespace is going away. */
export function applyRefusedByEndingNamespace(err: unknown): boolean {
  return isNamespaceTerminating(err);
}

/** A status write answered 404 (the ModelDeployment or its namespace is gone) or refused by a terminating namespace. */
export function statusWriteOfGoneObject(err: unknown): boolean {
  return isNotFound(err) || isNamespaceTerminating(err);
}

/** The outcome of a reconcile that stops here: nothing queued again. */
export function endQuietly(log: Logger, err: unknown): Record<string, never> {
  log.debug({ err }, 'namespace is being deleted or the ModelDeployment is gone; nothing more to do');
  return {};
}
