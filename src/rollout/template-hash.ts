// PURE: the identity of what a variant's pods run. Two specs with the same model and runtime hash
// alike whatever their key order, so a revision number is given once per distinct template.
import { createHash } from 'node:crypto';
import type { ModelSpec } from '../api/model-spec.ts';
import type { RuntimeSpec } from '../api/runtime-spec.ts';
import { TEMPLATE_HASH_LENGTH } from '../api/rollout-status.ts';

/** JSON with object keys sorted and undefined properties left out; list order is kept (it matters). */
export function canonicalJson(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map((item) => (item === undefined ? null : canonical(item)));
    if (typeof v !== 'object' || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      const child = (v as Record<string, unknown>)[key];
      if (child !== undefined) out[key] = canonical(child);
    }
    return out;
  };
  return JSON.stringify(canonical(value));
}

/** Hash of spec.model and spec.runtime: 16 hex digits of a SHA-256. */
export function templateHash(model: ModelSpec, runtime: RuntimeSpec): string {
  return createHash('sha256')
    .update(canonicalJson({ model, runtime }))
    .digest('hex')
    .slice(0, TEMPLATE_HASH_LENGTH);
}
