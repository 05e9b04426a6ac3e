// Turns the JSON Schema that zod emits into a structural OpenAPI v3 schema the API server accepts:
// no $ref, a type on every node, no unions except int-or-string, int32/int64 formats, and keys in a
// fixed order so the generated CRD is byte-for-byte stable.

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
  'x-kubernetes-validations'?: unknown[];
}

type Json = Record<string, unknown>;

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
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
  constructor(path: string, problem: string) {
    super(`${path === '' ? '<root>' : path}: ${problem}`);
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

function intOrString(node: Json, path: string): StructuralSchema {
  const branches = Array.isArray(node.anyOf) ? node.anyOf.filter(isJson) : [];
  const str = branches.find((b) => b.type === 'string');
  if (branches.length !== 2 || !str || !branches.some((b) => b.type === 'integer')) {
    throw new StructuralSchemaError(path, 'x-kubernetes-int-or-string needs anyOf [integer, string]');
  }
  const out: StructuralSchema = {};
  if (typeof node.description === 'string') out.description = node.description;
  if (node.default !== undefined) out.default = node.default;
  if (typeof str.pattern === 'string') out.pattern = str.pattern;
  if (typeof str.maxLength === 'number') out.maxLength = str.maxLength;
  out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  out['x-kubernetes-int-or-string'] = true;
  return out;
}

function integerBounds(node: Json, out: StructuralSchema): void {
  // z.int() emits the safe-integer range and z.int32() the int32 range as bounds; they say
  // "64-bit" and "32-bit", which the CRD says with `format` instead.
  if (node.maximum === Number.MAX_SAFE_INTEGER || node.minimum === Number.MIN_SAFE_INTEGER) out.format ??= 'int64';
  if (node.maximum === INT32_MAX || node.minimum === INT32_MIN) out.format ??= 'int32';
  if (out.maximum === Number.MAX_SAFE_INTEGER || out.maximum === INT32_MAX) delete out.maximum;
  if (out.minimum === Number.MIN_SAFE_INTEGER || out.minimum === INT32_MIN) delete out.minimum;
}

function copyScalars(node: Json, out: StructuralSchema): void {
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
  if (Array.isArray(node['x-kubernetes-validations']) && node['x-kubernetes-validations'].length > 0) {
    out['x-kubernetes-validations'] = node['x-kubernetes-validations'];
  }
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
  copyScalars(node, out);
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
