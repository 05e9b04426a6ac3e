// Turns the JSON Schema that zod emits into a structural OpenAPI v3 schema the API server accepts:
// no $ref, a type on every node, no unions except int-or-string, int32/int64 formats, and keys in a
// fixed order so the generated CRD is byte-for-byte stable. Whatever zod checks that OpenAPI cannot say
// (map keys, the bounds of an int-or-string's integer) becomes a CEL rule, so the CRD is as strict.
import type { XValidation } from '../cel-rule.ts';
import { PATTERN_MESSAGE, mapKeyRules } from './map-key-rules.ts';
import { PatternTranslationError, re2Pattern } from './re2-pattern.ts';
import { errorMessage } from '../../errors.ts';

export interface StructuralSchema {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  properties?: Record<string, StructuralSchema>;
  required?: string[];
  items?: StructuralSchema;
  additionalProperties?: StructuralSchema;
  anyOf?: StructuralSchema[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: XValidation[];
}

type Json = Record<string, unknown>;

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const ENUM_MAX_LENGTH = 64;

// Keys copied as they are, in output order. Anything else zod emits (title, $schema, propertyNames,
// examples) has no place in a CRD and is dropped.
const SCALAR_KEYS = [
  'format',
  'enum',
  'default',
  'nullable',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
] as const;

export class StructuralSchemaError extends Error {
  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`${path === '' ? '<root>' : path}: ${problem}`, options);
    this.name = 'StructuralSchemaError';
  }
}

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Resolves `#/$defs/x` references against the document root (zod emits them for reused ids). */
function deref(node: Json, root: Json, path: string): Json {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const match = /^#\/(\$defs|definitions|components\/schemas)\/(.+)$/.exec(ref);
  const defs = match ? (match[1] === 'components/schemas' ? undefined : root[match[1]!]) : undefined;
  const target = isJson(defs) && match ? defs[match[2]!] : undefined;
  if (!isJson(target)) throw new StructuralSchemaError(path, `cannot resolve ${ref}`);
  const { $ref: _ref, ...rest } = node;
  return { ...deref(target, root, path), ...rest };
}

/** Splits `anyOf: [X, {type: null}]` (zod's nullable) into X plus `nullable: true`. */
function unwrapNullable(node: Json, path: string): Json {
  const union = node.anyOf ?? node.oneOf;
  if (!Array.isArray(union) || node['x-kubernetes-int-or-string'] === true) return node;
  const branches = union.filter(isJson);
  const nonNull = branches.filter((b) => b.type !== 'null');
  if (nonNull.length !== 1 || branches.length !== 2) {
    throw new StructuralSchemaError(path, 'unions are not structural; use one type (or int-or-string)');
  }
  const { anyOf: _a, oneOf: _o, ...rest } = node;
  return { ...nonNull[0], ...rest, nullable: true };
}

const STRING_BRANCH_KEYS = new Set(['type', 'pattern', 'minLength', 'maxLength', 'description', PATTERN_MESSAGE]);
const INTEGER_BRANCH_KEYS = new Set(['type', 'minimum', 'maximum', 'format', 'description']);

function unknownKeys(node: Json, known: ReadonlySet<string>): string[] {
  return Object.keys(node).filter((k) => !known.has(k));
}

function intOrString(node: Json, path: string): StructuralSchema {
  const branches = Array.isArray(node.anyOf) ? node.anyOf.filter(isJson) : [];
  const str = branches.find((b) => b.type === 'string');
  if (branches.length !== 2 || !str || !branches.some((b) => b.type === 'integer')) {
    throw new StructuralSchemaError(path, 'x-kubernetes-int-or-string needs anyOf [integer, string]');
  }
  const int = branches.find((b) => b.type === 'integer')!;
  const extra = [...unknownKeys(str, STRING_BRANCH_KEYS), ...unknownKeys(int, INTEGER_BRANCH_KEYS)];
  if (extra.length > 0) throw new StructuralSchemaError(path, `int-or-string cannot carry ${extra.join(', ')}`);
  const out: StructuralSchema = {};
  if (typeof node.description === 'string') out.description = node.description;
  if (node.default !== undefined) out.default = node.default;
  if (typeof str.pattern === 'string') out.pattern = pattern(str.pattern, path);
  if (typeof str.minLength === 'number') out.minLength = str.minLength;
  if (typeof str.maxLength === 'number') out.maxLength = str.maxLength;
  out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  out['x-kubernetes-int-or-string'] = true;
  const rules = integerBranchRules(int);
  const own = Array.isArray(node['x-kubernetes-validations']) ? (node['x-kubernetes-validations'] as XValidation[]) : [];
  if (rules.length + own.length > 0) out['x-kubernetes-validations'] = [...rules, ...own];
  return out;
}

// The integer branch of an int-or-string has no room for minimum and maximum in a structural
// schema (`cpu: -1` would pass): CEL checks them, and lets strings through to their pattern.
function integerBranchRules(int: Json): XValidation[] {
  const rules: XValidation[] = [];
  if (typeof int.minimum === 'number') {
    rules.push({ rule: `type(self) == string || self >= ${int.minimum}`, message: `must be at least ${int.minimum}` });
  }
  if (typeof int.maximum === 'number') {
    rules.push({ rule: `type(self) == string || self <= ${int.maximum}`, message: `must be at most ${int.maximum}` });
  }
  return rules;
}

function pattern(source: string, path: string): string {
  try {
    return re2Pattern(source);
  } catch (err) {
    if (err instanceof PatternTranslationError) throw new StructuralSchemaError(path, err.message, { cause: err });
    throw err;
  }
}

function integerBounds(node: Json, out: StructuralSchema): void {
  // z.int() emits the safe-integer range and z.int32() the int32 range as bounds. The API server
  // checks neither `format`, so the bounds stay: 3000000000 is no int32 to it either.
  if (node.maximum === Number.MAX_SAFE_INTEGER || node.minimum === Number.MIN_SAFE_INTEGER) out.format ??= 'int64';
}

function copyScalars(node: Json, out: StructuralSchema, path: string): void {
  const target = out as Record<string, unknown>;
  for (const key of SCALAR_KEYS) {
    if (node[key] !== undefined) target[key] = node[key];
  }
  if (node.const !== undefined) out.enum = [node.const];
  // JSON Schema 2020-12 writes exclusive bounds as numbers; OpenAPI v3.0 as booleans.
  if (typeof node.exclusiveMinimum === 'number') {
    out.minimum = node.exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (typeof node.exclusiveMaximum === 'number') {
    out.maximum = node.exclusiveMaximum;
    out.exclusiveMaximum = true;
  }
  if (out.format === 'date-time') delete out.pattern; // zod's ISO regex; the API server checks the format.
  if (out.pattern !== undefined) out.pattern = pattern(out.pattern, path);
  // The CEL cost estimator ignores enums: bound their length so rules using them stay cheap. The
  // bound is generous so a wrong value gets "Unsupported value" alone, not also "Too long".
  if (node.type === 'string' && Array.isArray(out.enum) && out.maxLength === undefined) {
    out.maxLength = Math.max(ENUM_MAX_LENGTH, ...out.enum.map((v) => String(v).length));
  }
}

function extensions(node: Json, out: StructuralSchema): void {
  if (node['x-kubernetes-preserve-unknown-fields'] === true) out['x-kubernetes-preserve-unknown-fields'] = true;
  if (typeof node['x-kubernetes-list-type'] === 'string') out['x-kubernetes-list-type'] = node['x-kubernetes-list-type'];
  if (Array.isArray(node['x-kubernetes-list-map-keys'])) {
    out['x-kubernetes-list-map-keys'] = node['x-kubernetes-list-map-keys'].map(String);
  }
  const rules = [...(out['x-kubernetes-validations'] ?? [])];
  if (Array.isArray(node['x-kubernetes-validations'])) rules.push(...(node['x-kubernetes-validations'] as XValidation[]));
  if (rules.length > 0) out['x-kubernetes-validations'] = rules;
}

function keyRules(node: Json, root: Json, path: string): XValidation[] {
  if (!isJson(node.propertyNames)) return [];
  let rules: XValidation[];
  try {
    rules = mapKeyRules(deref(node.propertyNames, root, path));
  } catch (err) {
    throw new StructuralSchemaError(path, errorMessage(err), { cause: err });
  }
  // The CEL cost estimator prices a rule over a map by its largest size.
  if (rules.length > 0 && typeof node.maxProperties !== 'number') {
    throw new StructuralSchemaError(path, 'a map with checked keys needs maxProperties');
  }
  return rules;
}

function convert(raw: Json, root: Json, path: string): StructuralSchema {
  const node = unwrapNullable(deref(raw, root, path), path);
  if (node['x-kubernetes-int-or-string'] === true) return intOrString(node, path);
  const type = node.type;
  if (typeof type !== 'string' || !TYPES.has(type)) {
    throw new StructuralSchemaError(path, `needs a single type, got ${JSON.stringify(type)}`);
  }
  const out: StructuralSchema = {};
  if (typeof node.description === 'string') out.description = node.description;
  out.type = type as StructuralSchema['type'];
  copyScalars(node, out, path);
  if (type === 'integer') integerBounds(node, out);

  if (type === 'object') {
    const props = isJson(node.properties) ? node.properties : undefined;
    if (props && Object.keys(props).length > 0) {
      out.properties = {};
      for (const [name, child] of Object.entries(props)) {
        if (!isJson(child)) throw new StructuralSchemaError(`${path}.${name}`, 'is not a schema');
        out.properties[name] = convert(child, root, `${path}.${name}`);
      }
      if (Array.isArray(node.required) && node.required.length > 0) out.required = node.required.map(String);
    } else if (isJson(node.additionalProperties) && Object.keys(node.additionalProperties).length > 0) {
      out.additionalProperties = convert(node.additionalProperties, root, `${path}[*]`);
      const rules = keyRules(node, root, path);
      if (rules.length > 0) out['x-kubernetes-validations'] = rules;
    }
  }
  if (type === 'array') {
    if (!isJson(node.items)) throw new StructuralSchemaError(path, 'an array needs an items schema');
    out.items = convert(node.items, root, `${path}[*]`);
  }
  extensions(node, out);
  return out;
}

/** Converts a whole JSON Schema document (as z.toJSONSchema returns it). */
export function toStructuralSchema(jsonSchema: Json): StructuralSchema {
  return convert(jsonSchema, jsonSchema, '');
}
