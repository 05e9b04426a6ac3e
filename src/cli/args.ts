// PURE: the modelship command line, parsed. Flags follow kubectl's (-n, --kubeconfig, -f).

export type Command =
  | { verb: 'status' | 'watch' | 'promote' | 'abort' | 'retry'; name: string }
  | { verb: 'rollback'; name: string; toRevision?: number }
  | { verb: 'batch-run'; name: string }
  /** allNamespaces: every namespace; prometheus: the --prometheus flag (main falls back to $MODELSHIP_PROMETHEUS_ADDRESS). */
  | { verb: 'top'; allNamespaces: boolean; prometheus?: string }
  | { verb: 'render' | 'validate'; files: string[] }
  | { verb: 'help' };

export interface CliArgs {
  readonly command: Command;
  readonly namespace?: string;
  readonly kubeconfig?: string;
  readonly output: 'text' | 'json' | 'yaml';
}

export type ParsedArgs = { ok: true; args: CliArgs } | { ok: false; error: string };

const NAMED_VERBS = ['status', 'watch', 'promote', 'abort', 'retry', 'rollback'] as const;

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const files: string[] = [];
  let namespace: string | undefined;
  let kubeconfig: string | undefined;
  let output: CliArgs['output'] = 'text';
  let toRevision: number | undefined;
  let prometheus: string | undefined;
  let allNamespaces = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    try {
      if (flag === '-h' || flag === '--help') return { ok: true, args: { command: { verb: 'help' }, output } };
      else if (flag === '-n' || flag === '--namespace') namespace = value();
      else if (flag === '--kubeconfig') kubeconfig = value();
      else if (flag === '-A' || flag === '--all-namespaces') allNamespaces = true;
      else if (flag === '--prometheus') {
        const p = value();
        if (!/^https?:\/\/[^\s?#]+$/.test(p)) return { ok: false, error: `--prometheus must be an http:// or https:// URL, e.g. http://localhost:9090, not ${p}` };
        prometheus = p;
      }
      else if (flag === '-f' || flag === '--filename') files.push(value());
      else if (flag === '-o' || flag === '--output') {
        const o = value();
        if (o !== 'text' && o !== 'json' && o !== 'yaml') return { ok: false, error: `-o must be text, json or yaml, not ${o}` };
        output = o;
      } else if (flag === '--to-revision') {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) return { ok: false, error: '--to-revision must be a revision number (1, 2, ...)' };
        toRevision = n;
      } else if (flag.startsWith('-')) return { ok: false, error: `unknown flag ${flag}` };
      else positional.push(arg);
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }
  const [verb, name, ...rest] = positional;
  const base = { ...(namespace ? { namespace } : {}), ...(kubeconfig ? { kubeconfig } : {}), output };
  if (verb === undefined || verb === 'help') return { ok: true, args: { ...base, command: { verb: 'help' } } };
  if (verb === 'render' || verb === 'validate') {
    const all = [...files, ...(name ? [name, ...rest] : [])];
    if (all.length === 0) return { ok: false, error: `${verb} needs -f <file> (or - for standard input)` };
    return { ok: true, args: { ...base, command: { verb, files: all } } };
  }
  if (verb === 'top') {
    if (name !== undefined) return { ok: false, error: `unexpected arguments: ${[name, ...rest].join(' ')}` };
    return { ok: true, args: { ...base, command: { verb: 'top', allNamespaces, ...(prometheus !== undefined ? { prometheus } : {}) } } };
  }
  if (verb === 'batch') {
    if (name !== 'run') return { ok: false, error: `unknown batch command ${name ?? '(none)'}; use: batch run <name>` };
    const [target, ...more] = rest;
    if (!target) return { ok: false, error: 'batch run needs the name of a ModelDeployment' };
    if (more.length > 0) return { ok: false, error: `unexpected arguments: ${more.join(' ')}` };
    return { ok: true, args: { ...base, command: { verb: 'batch-run', name: target } } };
  }
  if (!(NAMED_VERBS as readonly string[]).includes(verb)) return { ok: false, error: `unknown command ${verb}; run modelship --help` };
  if (!name) return { ok: false, error: `${verb} needs the name of a ModelDeployment` };
  if (rest.length > 0) return { ok: false, error: `unexpected arguments: ${rest.join(' ')}` };
  if (verb === 'rollback') return { ok: true, args: { ...base, command: { verb, name, ...(toRevision !== undefined ? { toRevision } : {}) } } };
  return { ok: true, args: { ...base, command: { verb: verb as 'status' | 'watch' | 'promote' | 'abort' | 'retry', name } } };
}

export const HELP = `modelship: render, validate and steer ModelDeployments (also runs as \`kubectl modelship\`)

Usage:
  modelship status <name>                 versions, rollout step, traffic, conditions and history
  modelship watch <name>                  the same, updated live until Ctrl-C
  modelship promote <name>                skip the remaining steps and promote the canary now
  modelship abort <name>                  send all traffic back to stable and stop the canary
  modelship retry <name>                  restart an aborted canary from its first step
  modelship rollback <name> [--to-revision N]
                                          serve a known-good revision from status.history at once
                                          (default: the newest one before the current stable)
  modelship batch run <name>              start a batch run now (mode: batch); prints the run's name
  modelship top [-n NS | -A] [--prometheus URL]
                                          per ModelDeployment and revision: requests/s, error rate,
                                          p95 latency and accuracy (1h), from the inference agent's metrics
  modelship render -f model.yaml          print the objects the operator would create (no cluster)
  modelship validate -f model.yaml        check manifests offline; errors by field path

Flags:
  -n, --namespace NS     namespace (default: the kubeconfig context's, else "default")
  --kubeconfig PATH      kubeconfig (default: $KUBECONFIG or ~/.kube/config)
  -f, --filename FILE    manifest file for render/validate; repeatable; - reads standard input
  -o, --output FORMAT    text (default), json or yaml
  -A, --all-namespaces   top: every namespace
  --prometheus URL       top: the Prometheus to read (default: $MODELSHIP_PROMETHEUS_ADDRESS, the
                         operator's own setting), e.g. http://localhost:9090 after kubectl port-forward

Promote, abort, retry and rollback set an annotation (modelship.io/<action>) that the operator acts on;
batch run sets modelship.io/batch-run-requested to the current time. None edits the spec, so a GitOps
tool sees no drift.

Exit codes: 0 ok, 1 failed (or invalid manifests), 2 bad usage.
`;
