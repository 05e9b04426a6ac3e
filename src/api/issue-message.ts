// Messages for zod issues that a data scientist can act on. Schemas set their own message where a
// generic one would be vague (URIs, quantities, names); this covers the rest.
import type { z } from 'zod';

type Issue = z.core.$ZodRawIssue;

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  int32: 'a whole number',
  boolean: 'true or false',
  object: 'an object (a map of fields)',
  array: 'a list',
  record: 'a map',
};

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  return typeof value;
}

function invalidType(issue: Issue & { code: 'invalid_type' }): string {
  if (issue.input === undefined) return 'is required';
  const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
  const quoteHint = issue.expected === 'string' && typeof issue.input === 'number' ? `; quote it: "${issue.input}"` : '';
  return `must be ${expected}, not ${describeValue(issue.input)}${quoteHint}`;
}

function sizeUnit(origin: string, n: number | bigint): string {
  if (origin === 'string') return n === 1 ? 'character' : 'characters';
  if (origin === 'array' || origin === 'set') return n === 1 ? 'item' : 'items';
  return '';
}

export function issueMessage(issue: Issue): string | undefined {
  if (issue.input === undefined && (issue.code === 'invalid_value' || issue.code === 'invalid_union')) return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      return invalidType(issue);
    case 'too_small': {
      const unit = sizeUnit(issue.origin, issue.minimum);
      if (issue.origin === 'string' && issue.minimum === 1) return 'must not be empty';
      return unit === '' ? `must be at least ${issue.minimum}` : `must have at least ${issue.minimum} ${unit}`;
    }
    case 'too_big': {
      const unit = sizeUnit(issue.origin, issue.maximum);
      return unit === '' ? `must be at most ${issue.maximum}` : `must have at most ${issue.maximum} ${unit}`;
    }
    case 'invalid_value':
      return `must be one of: ${issue.values.map((v) => String(v)).join(', ')} (got ${describeValue(issue.input)})`;
    case 'invalid_format':
      return `has an invalid format (${issue.format})`;
    case 'invalid_union':
      return `is not valid (got ${describeValue(issue.input)})`;
    case 'invalid_key':
      // The path ends in the key itself; say what is wrong with it, as the CRD's key rules do.
      return `the key ${JSON.stringify(issue.input)} ${issue.issues.map((i) => i.message).join('; ')}`;
    default:
      return undefined;
  }
}
