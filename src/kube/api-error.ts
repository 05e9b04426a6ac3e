// A failed API request, with the fields of the metav1.Status the server answered with.
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly method: string;
  readonly path: string;

  constructor(method: string, path: string, status: number, reason: string, message: string) {
    super(`${method} ${path}: ${status} ${reason}: ${message}`);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
    this.method = method;
    this.path = path;
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

/**
 * The namespace is being deleted: the API server refuses new objects in it (403, cause
 * NamespaceTerminating; 409 from some paths) with "... because it is being terminated".
 */
export function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 403 || err.status === 409) && err.message.includes('because it is being terminated');
}
