// The API server's own message and status code of a failed request, for status and logs.
import { errorMessage } from '../../errors.ts';
import { ApiError } from '../../kube/api-error.ts';

export function describeError(err: unknown): { message: string; code?: number } {
  if (err instanceof ApiError) return { message: err.serverMessage, code: err.status };
  return { message: errorMessage(err) };
}
