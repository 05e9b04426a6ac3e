// `--name value` / `--name=value` options of the programs in model pods (batch, agent): only known names,
// each with a value, the required ones non-empty. Errors are one line for the container's termination log.
export type LongOptions = { readonly ok: true; readonly values: ReadonlyMap<string, string> } | { readonly ok: false; readonly error: string };

export function parseLongOptions(argv: readonly string[], known: ReadonlySet<string>, required: readonly string[]): LongOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) return { ok: false, error: `unexpected argument '${arg}'` };
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (!known.has(name)) return { ok: false, error: `unknown option --${name}` };
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) return { ok: false, error: `--${name} needs a value` };
    values.set(name, value);
  }
  for (const name of required) {
    if (values.get(name) === undefined || values.get(name) === '') return { ok: false, error: `--${name} is required` };
  }
  return { ok: true, values };
}
