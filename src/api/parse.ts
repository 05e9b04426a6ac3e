// Validates an unknown object (parsed YAML, an informer's cache entry) as a ModelDeployment.
import { issueMessage } from './issue-message.ts';
import { formatFieldPath } from './field-path.ts';
import { modelDeploymentSchema } from './model-deployment.ts';
import type { ModelDeployment } from './model-deployment.ts';

export interface FieldError {
  /** Path of the offending field, e.g. `spec.runtime.env[0].name`. */
  field: string;
  /** A sentence that starts with the field, e.g. `spec.replicas: must be 0 or more`. */
  message: string;
}

export type ParseResult = { ok: true; value: ModelDeployment } | { ok: false; errors: FieldError[] };

export function parseModelDeployment(obj: unknown): ParseResult {
  const result = modelDeploymentSchema.safeParse(obj, { error: issueMessage });
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldError[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      // One error per unknown field, at its own path, so typos such as `fromat` are easy to spot.
      for (const key of issue.keys) {
        const field = formatFieldPath([...issue.path, key]);
        errors.push({ field, message: `${field}: unknown field` });
      }
      continue;
    }
    const field = formatFieldPath(issue.path);
    // CEL-paired messages at the root name their field already.
    const message = issue.message.startsWith(`${field} `) ? issue.message : `${field}: ${issue.message}`;
    errors.push({ field, message });
  }
  return { ok: false, errors };
}

/** All errors, one per line. */
export function formatFieldErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => e.message).join('\n');
}
