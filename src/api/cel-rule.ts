// A validation rule written twice, side by side: in CEL for the API server (x-kubernetes-validations)
// and in TypeScript for zod, so `kubectl apply` and parseModelDeployment reject the same objects.
import type { z } from 'zod';

export interface CelRule<T> {
  /** CEL expression evaluated by the API server with `self` bound to the object. */
  rule: string;
  /** Message shown by both; name the field so a person knows what to change. */
  message: string;
  /**
   * A more specific message for zod only. The CRD has no messageExpression: the API server's cost
   * estimator prices string building far above its budget.
   */
  messageFor?: (self: T) => string;
  /** Path of the offending field relative to the object, like `.maxReplicas`. */
  fieldPath?: string;
  /** Where zod reports the issue when the API server takes no fieldPath (metadata at the root). */
  zodPath?: string;
  /** `FieldValueRequired` when the rule says a field must be set. */
  reason?: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueForbidden';
  /** The rule in TypeScript: true when the object is valid. */
  check: (self: T) => boolean;
}

export interface XValidation {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: string;
}

/** Attaches rules to a schema: a zod refinement plus the `x-kubernetes-validations` metadata. */
export function withCelRules<S extends z.ZodType>(schema: S, rules: readonly CelRule<z.output<S>>[]): S {
  return schema
    .superRefine((value, ctx) => {
      for (const rule of rules) {
        if (rule.check(value)) continue;
        ctx.addIssue({
          code: 'custom',
          message: rule.messageFor ? rule.messageFor(value) : rule.message,
          path: fieldPathSegments(rule.zodPath ?? rule.fieldPath),
        });
      }
    })
    .meta({ 'x-kubernetes-validations': rules.map(toXValidation) });
}

function toXValidation<T>(rule: CelRule<T>): XValidation {
  const out: XValidation = { rule: rule.rule, message: rule.message };
  if (rule.fieldPath !== undefined) out.fieldPath = rule.fieldPath;
  if (rule.reason !== undefined) out.reason = rule.reason;
  return out;
}

function fieldPathSegments(fieldPath: string | undefined): string[] {
  return fieldPath === undefined ? [] : fieldPath.split('.').filter((s) => s !== '');
}

/** A CEL string literal of `text`, e.g. a regular expression for matches(). */
export function celString(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}'`;
}
