// Small building blocks shared by the spec schemas.
import { z } from 'zod';
import { MAX_SHORT_STRING } from './limits.ts';
import { DNS1123_SUBDOMAIN } from './patterns.ts';

/** A 32-bit integer, marked `format: int32` in the CRD. */
export function int32(): z.ZodInt32 {
  return z.int32().meta({ format: 'int32' });
}

/** A 64-bit integer (generations, seconds), marked `format: int64` in the CRD. */
export function int64(): z.ZodInt {
  return z.int().meta({ format: 'int64' });
}

/** The name of another object in the namespace (Secret, ServiceAccount, ConfigMap). */
export function objectName(what: string): z.ZodString {
  return z
    .string()
    .min(1)
    .max(MAX_SHORT_STRING)
    .regex(DNS1123_SUBDOMAIN, {
      error: `must be a valid ${what} name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`,
    });
}

/**
 * A map with a bounded number of entries: `maxProperties` for the API server, a refinement for zod.
 */
export function boundedRecord<K extends z.ZodString, V extends z.ZodType>(
  key: K,
  value: V,
  maxEntries: number,
): z.ZodRecord<K, V> {
  return z
    .record(key, value)
    .refine((m) => Object.keys(m).length <= maxEntries, { error: `must have at most ${maxEntries} entries` })
    .meta({ maxProperties: maxEntries });
}

/** A list whose items must differ in one key, as `x-kubernetes-list-type: map` enforces. */
export function listMap<T extends z.ZodObject, K extends keyof z.output<T> & string>(
  item: T,
  key: K,
  maxItems: number,
): z.ZodArray<T> {
  return z
    .array(item)
    .max(maxItems)
    .superRefine((items, ctx) => {
      const seen = new Set<unknown>();
      items.forEach((entry, i) => {
        const k = entry[key];
        if (seen.has(k)) {
          ctx.addIssue({ code: 'custom', message: `duplicate ${key} ${JSON.stringify(k)}`, path: [i, key] });
        }
        seen.add(k);
      });
    })
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key] });
}

/** An object kept as-is: later releases define its fields. */
export function reservedObject(description: string): z.ZodObject<Record<string, never>, z.core.$loose> {
  return z.looseObject({}).meta({ 'x-kubernetes-preserve-unknown-fields': true, description });
}
