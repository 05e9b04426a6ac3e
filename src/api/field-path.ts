// Field paths written the way the API server writes them: spec.runtime.env[0].name,
// spec.runtime.resources.limits[nvidia.com/gpu].
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${String(segment)}]`;
  }
  return out === '' ? '<root>' : out;
}
