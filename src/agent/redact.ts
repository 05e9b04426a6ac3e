// What never reaches the log: JSON keys named in --redact are removed at any depth, and the named
// inputs/outputs of Open Inference Protocol v2 bodies keep their shape with `data` replaced. Pure.

export const REDACTED = '[redacted]';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walk(value: unknown, fields: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, fields));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (fields.has(k)) continue;
    if ((k === 'inputs' || k === 'outputs') && Array.isArray(v)) {
      out[k] = v.map((t) => (isObject(t) && typeof t.name === 'string' && fields.has(t.name) ? { ...(walk(t, fields) as object), data: REDACTED } : walk(t, fields)));
    } else {
      out[k] = walk(v, fields);
    }
  }
  return out;
}

/** A copy of `value` with the fields removed (the input is not changed); the same value when no field is named. */
export function redact(value: unknown, fields: ReadonlySet<string>): unknown {
  return fields.size === 0 ? value : walk(value, fields);
}
