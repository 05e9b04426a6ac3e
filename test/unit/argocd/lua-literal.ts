// A JSON value as a Lua table literal, so a Lua script can read it without a JSON decoder. null and
// absent keys both become nil, as Argo CD's conversion of an object to a Lua table makes them.
export function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return luaString(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`no Lua literal for ${value}`);
    return String(value);
  }
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(', ')}}`;
  if (typeof value === 'object') {
    const fields = Object.entries(value).map(([k, v]) => `[${luaString(k)}] = ${luaLiteral(v)}`);
    return `{${fields.join(', ')}}`;
  }
  throw new Error(`no Lua literal for a ${typeof value}`);
}

/** Lua strings are bytes: escape only quotes, backslashes and control characters (as decimal escapes). */
function luaString(s: string): string {
  let escaped = '';
  for (const c of s) {
    const code = c.charCodeAt(0);
    if (c === '\\' || c === '"') escaped += `\\${c}`;
    else if (code < 0x20 || code === 0x7f) escaped += `\\${String(code).padStart(3, '0')}`;
    else escaped += c;
  }
  return `"${escaped}"`;
}
