// A structural schema has no propertyNames, so the API server would take any key of a map that zod
// checks (header names, resource names). The key's constraints become CEL rules on the map instead.
import type { XValidation } from '../cel-rule.ts';
import { re2Pattern } from './re2-pattern.ts';

/** Set on a string's JSON Schema by model-deployment-crd.ts: the zod message of its regex. */
export const PATTERN_MESSAGE = 'x-pattern-message';

const HANDLED = new Set(['type', 'pattern', 'minLength', 'maxLength', 'description', PATTERN_MESSAGE]);

/** A CEL string literal: double-quoted, so patterns with `'` (header names) need no care. */
export function celString(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** CEL rules saying what `propertyNames` says; throws on a key constraint it cannot carry. */
export function mapKeyRules(keySchema: Record<string, unknown>): XValidation[] {
  const unhandled = Object.keys(keySchema).filter((k) => !HANDLED.has(k));
  if (unhandled.length > 0) throw new Error(`map keys with ${unhandled.join(', ')} cannot be checked by the CRD`);
  if (keySchema.type !== undefined && keySchema.type !== 'string') throw new Error('map keys must be strings');
  const rules: XValidation[] = [];
  const min = typeof keySchema.minLength === 'number' && keySchema.minLength > 0 ? keySchema.minLength : undefined;
  const max = typeof keySchema.maxLength === 'number' ? keySchema.maxLength : undefined;
  if (min !== undefined || max !== undefined) {
    const bounds = [min !== undefined ? `k.size() >= ${min}` : '', max !== undefined ? `k.size() <= ${max}` : ''];
    const words =
      min !== undefined && max !== undefined ? `from ${min} to ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
    rules.push({
      rule: `self.all(k, ${bounds.filter((b) => b !== '').join(' && ')})`,
      message: `every key must have ${words} characters`,
    });
  }
  if (typeof keySchema.pattern === 'string') {
    const said = keySchema[PATTERN_MESSAGE];
    rules.push({
      rule: `self.all(k, k.matches(${celString(re2Pattern(keySchema.pattern))}))`,
      message: typeof said === 'string' && said.startsWith('must ') ? `every key ${said}` : `every key must match ${keySchema.pattern}`,
    });
  }
  return rules;
}
