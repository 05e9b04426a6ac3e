// The `--name=value` flags of a bench script run on its own (scale.ts, sharding.ts).
export interface ScriptFlags {
  readonly argv: readonly string[];
  /** The value of `--name=...`, if given. */
  readonly value: (name: string) => string | undefined;
  /** A whole number above 0 from `--name=N`, or the fallback; anything else stops the script with the flag's name. */
  readonly positive: (name: string, fallback: number) => number;
}

export function scriptFlags(argv: readonly string[] = process.argv.slice(2)): ScriptFlags {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const positive = (name: string, fallback: number) => {
    const n = Number(value(name) ?? fallback);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: a whole number above 0, got ${value(name)}`);
    return n;
  };
  return { argv, value, positive };
}
