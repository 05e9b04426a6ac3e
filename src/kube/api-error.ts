// A failed API request, with the fields of the metav1.Status the server answered with.

/** metav1.StatusCause: `reason` is the cause's type (e.g. NamespaceTerminating, FieldValueInvalid). */
export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly method: string;
  readonly path: string;
  /** The Status' details.causes: what the server says went wrong, by type; empty when it sent none. */
  readonly causes: readonly StatusCause[];

  constructor(method: string, path: string, status: number, reason: string, message: string, causes: readonly StatusCause[] = []) {
    super(`${method} ${path}: ${status} ${reason}: ${message}`);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
    this.method = method;
    this.path = path;
    this.causes = causes;
  }

  /** The server's own message, without the request line. */
  get serverMessage(): string {
    return this.message.slice(this.message.indexOf(': ', this.message.indexOf(String(this.status))) + 2);
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404;
}

export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.status === 409;
}

/** Errors that retrying without a change cannot fix: the object or the permissions must change. */
export function isPermanent(err: unknown): boolean {
  return err instanceof ApiError && [400, 403, 404, 405, 415, 422].includes(err.status);
}

/** The cause type the API server's NamespaceLifecycle admission adds (k8s.io/api/core/v1 NamespaceTerminatingCause). */
export const NAMESPACE_TERMINATING = 'NamespaceTerminating';

/**
 * The namespace is being deleted: the API server refuses new objects in it (403 with the cause
 * NamespaceTerminating). An answer without causes (409 from some paths) is read by its text.
 */
export function isNamespaceTerminating(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  if (err.causes.length > 0) return err.causes.some((c) => c.reason === NAMESPACE_TERMINATING);
  return (err.status === 403 || err.status === 409) && err.message.includes('because it is being terminated');
}
