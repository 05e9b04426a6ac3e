// The operator's configuration, from command-line flags and environment variables, validated with zod.
// PURE: argv and env come in as arguments. Whatever needs the machine (the hostname, a random suffix for
// the leader-election identity) is put into `env` by the caller, e.g. main.ts passes
// `{ ...process.env, HOSTNAME: os.hostname() }`.
//
// Precedence: --flag, then MODELSHIP_<FLAG> (e.g. MODELSHIP_WATCH_NAMESPACES), then the flag's other
// environment variables (POD_NAMESPACE, POD_NAME, HOSTNAME), then the default. Both `--flag=value` and
// `--flag value` work; a boolean flag alone means true. Flag names follow controller-runtime's.
import { z } from 'zod';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN } from './api/patterns.ts';
import { DEFAULT_FETCHER_IMAGE } from './render/index.ts';
import { parseCidr, type Cidr } from './outbound/address-policy.ts';
import { parseAddressPattern, type AddressPattern } from './analysis/prometheus-sources.ts';
import { createHash } from 'node:crypto';
import { parseLabelSelector } from './kube/label-selector.ts';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A listen address; host '' means every interface. */
export interface BindAddress {
  host: string;
  port: number;
}

export interface OperatorConfig {
  /** Namespaces to watch; empty = the whole cluster. */
  watchNamespaces: string[];
  /** This shard's ModelDeployments (a label selector, normalized); empty: all of them. */
  watchLabelSelector: string;
  /** Reconciles running at once (never two of one ModelDeployment). */
  concurrency: number;
  /** Evidence fetches (smoke checks, analysis measurements) running at once, outside the reconciles. */
  evidenceConcurrency: number;
  kubeApiQps: number;
  kubeApiBurst: number;
  logLevel: LogLevel;
  metricsBindAddress: BindAddress;
  healthProbeBindAddress: BindAddress;
  leaderElect: boolean;
  leaderElectionNamespace: string;
  /** Name of the Lease; with a --watch-label-selector and no --leader-election-id, one per selector. */
  leaderElectionId: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  fetcherImage: string;
  resyncPeriodMs: number;
  /** This replica's name in the Lease. */
  identity: string;
  /** Undefined: KUBECONFIG, ~/.kube/config or the in-cluster config (KubeConfig.loadFromDefault). */
  kubeconfig?: string;
  /** The operator's own namespace: where the Secrets of the platform's analysis sources are. */
  operatorNamespace: string;
  /** Shorthand for a default analysis source without credentials (spec.rollout.analysis.prometheus). */
  prometheusAddress?: string;
  /** The platform's analysis sources file (src/analysis/prometheus-sources.ts); read by main.ts at start-up. */
  prometheusSources?: string;
  /** The platform's model registries file (src/registry/mlflow.ts); read by operator-main.ts at start-up. */
  modelRegistries?: string;
  /** The platform's retraining targets file (src/retraining/targets-file.ts); read by operator-main.ts at start-up. */
  retrainingTargets?: string;
  /** How often a models:/ URI is resolved again in its registry. */
  registryPollIntervalMs: number;
  /** Prometheus addresses a ModelDeployment may name itself; empty: none. */
  prometheusUserAddresses: AddressPattern[];
  /** Secrets of a ModelDeployment's namespace (labelled for it) may be sent to an allowed user address. */
  prometheusUserSecrets: boolean;
  /** VirtualService hosts allowed beyond the namespace's own Services (src/traffic/istio/istio-policy.ts). */
  istioAllowedHosts: string[];
  /** Istio Gateways of other namespaces a VirtualService may bind, `namespace/name` or `namespace/*`. */
  istioAllowedGateways: string[];
  /** The rendered VirtualServices' exportTo. */
  istioExportTo: string[];
  /** Loopback, link-local or unspecified ranges outbound requests (Prometheus, smoke checks) may reach. */
  outboundAllowCidrs: Cidr[];
}

export type ConfigResult = { ok: true; config: OperatorConfig } | { ok: false; errors: string[] };
type Env = Record<string, string | undefined>;

// ---- value parsers: a string in, a typed value out, with a message a person can act on ----

const wholeNumber = (min: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: `must be at least ${min}` }));

const positiveNumber = z
  .string()
  .regex(/^\d+(\.\d+)?$/, { error: 'must be a number' })
  .transform(Number)
  .pipe(z.number().positive({ error: 'must be greater than 0' }));

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go-style durations as in client-go's flags: 500ms, 15s, 1m30s, 1.5h. */
const duration = (minMs: number) =>
  z
    .string()
    .regex(/^(\d+(\.\d+)?(ms|s|m|h))+$/, { error: 'must be a duration such as 500ms, 15s, 1m30s or 2h' })
    .transform((s) => Math.round([...s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)].reduce((ms, [, n, unit]) => ms + Number(n) * UNIT_MS[unit!]!, 0)))
    .pipe(z.number().min(minMs, { error: `must be at least ${minMs}ms` }));

const bool = z
  .string()
  .transform((s, ctx) => {
    // strconv.ParseBool's spellings, so values that work for Go operators work here.
    if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(s)) return true;
    if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(s)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });

const bindAddress = z.string().transform((s, ctx): BindAddress => {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]*):(\d{1,5})$/.exec(s);
  const port = Number(m?.[2]);
  if (m === null || port > 65535) {
    ctx.addIssue({ code: 'custom', message: 'must be host:port or :port, with a port from 0 to 65535 (e.g. :8080, 127.0.0.1:8080, [::1]:8080)' });
    return z.NEVER;
  }
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
});

const namespaceName = z
  .string()
  .max(63, { error: 'must be at most 63 characters' })
  .regex(DNS1123_LABEL, { error: 'must be a namespace name: lower-case letters, digits and -' });

/** Comma-separated, blanks and repeats dropped. */
const commaList = <T>(item: z.ZodType<T, string>) =>
  z
    .string()
    .transform((s) => [...new Set(s.split(',').map((n) => n.trim()).filter((n) => n !== ''))])
    .pipe(z.array(item));

const namespaceList = commaList(namespaceName);

// The patterns' bodies, to build the flags' own patterns from.
const HOST = DNS1123_SUBDOMAIN.source.slice(1, -1);
const NAMESPACE = DNS1123_LABEL.source.slice(1, -1);
const hostPatternList = commaList(
  z.string().regex(new RegExp(`^(\\*|(\\*\\.)?${HOST})$`), { error: 'must be host names or patterns such as fraud.example.com, *.models.example.com or *' }),
);
const gatewayList = commaList(
  z.string().regex(new RegExp(`^${NAMESPACE}/(\\*|${HOST})$`), { error: 'must be gateways as namespace/name or namespace/*, e.g. istio-ingress/public' }),
);
const exportToList = commaList(
  z.string().regex(new RegExp(`^(\\.|\\*|${NAMESPACE})$`), { error: "must be '.', '*' or namespace names" }),
).pipe(z.array(z.string()).min(1, { error: "must name at least one namespace: '.' for the VirtualService's own" }));

const cidrList = z.string().transform((s, ctx) => {
  const items = s.split(',').map((c) => c.trim()).filter((c) => c !== '');
  const bad = items.find((c) => parseCidr(c) === undefined);
  if (bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(bad)} is not a CIDR such as 127.0.0.1/32 or fe80::/10` });
    return z.NEVER;
  }
  return items.map((c) => parseCidr(c)!);
});

const addressPatternList = z.string().transform((s, ctx) => {
  const items = [...new Set(s.split(',').map((p) => p.trim()).filter((p) => p !== ''))];
  const bad = items.find((p) => parseAddressPattern(p) === undefined);
  if (bad !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(bad)} is not an address pattern: scheme://host[:port] without a path, the host may start with *. (e.g. http://prometheus.monitoring:9090, https://*.prometheus.example.com)`,
    });
    return z.NEVER;
  }
  return items.map((p) => parseAddressPattern(p)!);
});

const labelSelector = z.string().transform((s, ctx) => {
  const parsed = parseLabelSelector(s);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: `must be a label selector such as ${SHARD_LABEL}=shard1 or !${SHARD_LABEL}: ${parsed.error}` });
    return z.NEVER;
  }
  return parsed.normalized;
});

const nonEmpty = z.string().regex(/^\S+$/, { error: 'must be a non-empty string without spaces' });

// ---- the flags ----

/**
 * Read when neither --flag nor MODELSHIP_<FLAG> is set, and parsed like them: a constant, or a value
 * from other environment variables with what --help says of it (no `from`: left unset for the
 * consumer's own default).
 */
type Default = string | { readonly shown: string; readonly from?: (env: Env) => string | undefined };

interface Flag<T> {
  name: string;
  schema: z.ZodType<T, string>;
  help: string;
  /** Absent: the setting stays unset. */
  default?: Default;
  boolean?: boolean;
}

function flag<T>(name: string, schema: z.ZodType<T, string>, help: string, dflt?: Default): Flag<T> {
  return { name, schema, help, ...(dflt === undefined ? {} : { default: dflt }) };
}

function defaultValue(f: Flag<unknown>, env: Env): string | undefined {
  return typeof f.default === 'string' ? f.default : f.default?.from?.(env);
}

function defaultText(f: Flag<unknown>): string {
  if (f.default === undefined) return '(none)';
  if (typeof f.default !== 'string') return f.default.shown;
  return f.default === '' ? '(empty)' : f.default;
}

/** The label that puts a ModelDeployment in a shard (Flux's sharding.fluxcd.io/key convention). */
export const SHARD_LABEL = 'sharding.modelship.io/key';
const DEFAULT_LEADER_ELECTION_ID = 'modelship-leader';

const FLAGS = {
  watchNamespaces: flag('watch-namespaces', namespaceList, 'Namespaces to watch, comma-separated; empty watches all.', ''),
  watchLabelSelector: flag(
    'watch-label-selector',
    labelSelector,
    `Reconcile only the ModelDeployments this label selector matches (a shard), e.g. ${SHARD_LABEL}=shard1, or ${SHARD_LABEL} notin (shard1,shard2) for the unlabelled rest; empty: all. Without --leader-election-id the Lease is named after the selector, so each shard elects its own leader.`,
    '',
  ),
  concurrency: flag('concurrency', wholeNumber(1), 'Reconciles running at once.', '4'),
  evidenceConcurrency: flag(
    'evidence-concurrency',
    wholeNumber(1),
    'Smoke checks and analysis measurements running at once, outside the reconciles; one namespace gets at most half (rounded up), the rest go to other namespaces in turn.',
    '16',
  ),
  kubeApiQps: flag('kube-api-qps', positiveNumber, 'Requests per second to the API server (client-side limit).', '50'),
  kubeApiBurst: flag('kube-api-burst', wholeNumber(1), 'Requests allowed in a burst above the QPS.', '100'),
  logLevel: flag('log-level', z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }), 'Log level.', 'info'),
  metricsBindAddress: flag('metrics-bind-address', bindAddress, 'Where /metrics listens.', ':8080'),
  healthProbeBindAddress: flag('health-probe-bind-address', bindAddress, 'Where /healthz and /readyz listen.', ':8081'),
  leaderElect: { ...flag('leader-elect', bool, 'Elect a leader so only one replica reconciles.', 'true'), boolean: true },
  leaderElectionNamespace: flag('leader-election-namespace', namespaceName, 'Namespace of the leader-election Lease.', {
    shown: '$POD_NAMESPACE or modelship-system',
    from: (env) => env.POD_NAMESPACE || 'modelship-system',
  }),
  leaderElectionId: flag(
    'leader-election-id',
    z.string().max(253).regex(DNS1123_SUBDOMAIN, { error: 'must be a Lease name: lower-case letters, digits, - and .' }),
    'Name of the leader-election Lease; replicas of one shard share it, shards need distinct ones.',
    { shown: `${DEFAULT_LEADER_ELECTION_ID}, or ${DEFAULT_LEADER_ELECTION_ID}-<hash of --watch-label-selector>` },
  ),
  leaseDurationMs: flag('lease-duration', duration(1000), 'How long a lease lasts without renewal before others may take it.', '15s'),
  renewDeadlineMs: flag('renew-deadline', duration(1), 'How long the leader keeps trying to renew before it steps down.', '10s'),
  retryPeriodMs: flag('retry-period', duration(1), 'Time between leader-election attempts.', '2s'),
  fetcherImage: flag('fetcher-image', nonEmpty, 'Image of the init container that downloads models.', DEFAULT_FETCHER_IMAGE),
  resyncPeriodMs: flag('resync-period', duration(1000), 'How often every ModelDeployment is reconciled even without a change.', '10m'),
  identity: flag('identity', nonEmpty, "This replica's name in the Lease.", {
    shown: '$POD_NAME or $HOSTNAME',
    from: (env) => env.POD_NAME || env.HOSTNAME || undefined,
  }),
  kubeconfig: flag('kubeconfig', nonEmpty, 'Path to a kubeconfig.', { shown: '$KUBECONFIG, ~/.kube/config or in-cluster' }),
  prometheusAddress: flag(
    'prometheus-address',
    z.string().regex(/^https?:\/\/\S+$/, { error: 'must be an http:// or https:// URL, e.g. http://prometheus.monitoring:9090' }),
    'Shorthand for a default analysis source (named default, no credentials): the Prometheus queried when a ModelDeployment names no source.',
  ),
  operatorNamespace: flag('operator-namespace', namespaceName, "The operator's own namespace, where the Secrets named by --prometheus-sources are read.", {
    shown: '$POD_NAMESPACE or modelship-system',
    from: (env) => env.POD_NAMESPACE || 'modelship-system',
  }),
  prometheusSources: flag(
    'prometheus-sources',
    nonEmpty,
    "YAML file of the platform's Prometheus sources (name, address, bearerTokenSecret, caSecret, insecureSkipVerify, default), read at start-up; a change needs a restart.",
  ),
  modelRegistries: flag(
    'model-registries',
    nonEmpty,
    "YAML file of the platform's model registries for models:/ URIs (a list of name, type mlflow, address, bearerTokenSecret or basicAuthSecret in the operator's namespace, default), read at start-up; a change needs a restart.",
  ),
  retrainingTargets: flag(
    'retraining-targets',
    nonEmpty,
    "YAML file of the platform's retraining targets (airflow: name, address, basicAuthSecret or bearerTokenSecret, default; webhooks: name, url, hmacSecret; Secrets in the operator's namespace), read at start-up; a change needs a restart.",
  ),
  registryPollIntervalMs: flag(
    'registry-poll-interval',
    duration(1000).refine((ms) => ms >= 10_000, { error: 'must be at least 10s' }),
    'How often a models:/ URI is resolved again in its model registry (at least 10s); a moved alias starts the rollout at the next poll.',
    '1m',
  ),
  prometheusUserAddresses: flag(
    'prometheus-user-addresses',
    addressPatternList,
    'Prometheus addresses a ModelDeployment may name itself (spec.rollout.analysis.prometheus.address), comma-separated scheme://host[:port] patterns; a host may start with *. (any host under it). Empty: none.',
    '',
  ),
  prometheusUserSecrets: {
    ...flag(
      'prometheus-user-secrets',
      bool,
      `Send a bearer token or CA from the ModelDeployment's namespace to an allowed user address, when its Secret has the label modelship.io/analysis-credentials=true. Needs secrets get in the watched namespaces.`,
      'false',
    ),
    boolean: true,
  },
  istioAllowedHosts: flag(
    'istio-allowed-hosts',
    hostPatternList,
    "VirtualService hosts a ModelDeployment may name besides its namespace's Services, comma-separated: fraud.example.com, *.models.example.com (any host under it), * (any host).",
    '',
  ),
  istioAllowedGateways: flag(
    'istio-allowed-gateways',
    gatewayList,
    "Istio Gateways of other namespaces a VirtualService may bind, comma-separated: namespace/name or namespace/*.",
    '',
  ),
  istioExportTo: flag('istio-export-to', exportToList, "Namespaces the VirtualServices are visible to, comma-separated: '.' (their own), '*' (all) or names.", '.'),
  outboundAllowCidrs: flag(
    'outbound-allow-cidrs',
    cidrList,
    'Loopback, link-local or unspecified address ranges (comma-separated CIDRs) that Prometheus queries and smoke checks may reach; all others are refused.',
    '',
  ),
} satisfies Record<keyof OperatorConfig, Flag<unknown>>;

type Key = keyof typeof FLAGS;
const KEYS = Object.keys(FLAGS) as Key[];

function envName(flagName: string): string {
  return `MODELSHIP_${flagName.toUpperCase().replaceAll('-', '_')}`;
}

/** Whether argv asks for --help: main.ts prints configHelp() and exits 0 before parsing. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((a) => a === '--help' || a === '-h');
}

export function parseConfig(argv: readonly string[], env: Env): ConfigResult {
  const { values: flags, errors } = readArgv(argv);
  const config: Partial<Record<Key, unknown>> = {};
  for (const key of KEYS) {
    const f: Flag<unknown> = FLAGS[key];
    const fromFlag = flags.get(f.name);
    const fromEnv = env[envName(f.name)];
    const [source, raw] =
      fromFlag !== undefined ? [`--${f.name}`, fromFlag] : fromEnv !== undefined && fromEnv !== '' ? [envName(f.name), fromEnv] : [`--${f.name}`, defaultValue(f, env)];
    if (raw === undefined) continue;
    const parsed = f.schema.safeParse(raw);
    if (parsed.success) config[key] = parsed.data;
    else errors.push(`${source}: ${parsed.error.issues[0]?.message ?? 'invalid'} (got ${JSON.stringify(raw)})`);
  }
  // One Lease per shard unless named: replicas with the same selector elect among themselves only.
  if (config.leaderElectionId === undefined) config.leaderElectionId = leaseNameFor(typeof config.watchLabelSelector === 'string' ? config.watchLabelSelector : '');
  if (config.identity === undefined) {
    errors.push('--identity: not set, and neither POD_NAME nor HOSTNAME is; pass --identity or set POD_NAME');
  }
  if (errors.length > 0) return { ok: false, errors };
  // Every key has a value or a default except kubeconfig, prometheusAddress, prometheusSources, modelRegistries and retrainingTargets, which are optional, and identity, checked above.
  const result = config as OperatorConfig;
  errors.push(...crossChecks(result));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: result };
}

/** The default Lease name: the selector's hash keeps shards apart (as Flux's leader-election IDs). PURE. */
export function leaseNameFor(watchLabelSelector: string): string {
  if (watchLabelSelector === '') return DEFAULT_LEADER_ELECTION_ID;
  return `${DEFAULT_LEADER_ELECTION_ID}-${createHash('sha256').update(watchLabelSelector).digest('hex').slice(0, 10)}`;
}

/** The same rules as client-go's leader election, so a bad combination fails at start-up, not later. */
function crossChecks(c: OperatorConfig): string[] {
  const errors: string[] = [];
  if (c.leaseDurationMs <= c.renewDeadlineMs) errors.push('--lease-duration must be longer than --renew-deadline');
  if (c.renewDeadlineMs <= 1.2 * c.retryPeriodMs) errors.push('--renew-deadline must be longer than 1.2 x --retry-period');
  return errors;
}

/**
 * Flag values by name; unknown flags and missing values become errors. Repeated flags: the last wins.
 * Not node:util parseArgs: it cannot read `--leader-elect false` (a boolean takes no separate value,
 * `false` becomes a positional), refuses `--leader-elect=false` in strict mode, takes `--concurrency=2`
 * as the value of a flag missing one in loose mode, and splits `-concurrency=2` into short options, so
 * neither the accepted syntax nor the messages (with their suggestions) could be kept.
 */
function readArgv(argv: readonly string[]): { values: Map<string, string>; errors: string[] } {
  const byName = new Map(KEYS.map((k) => [FLAGS[k].name, FLAGS[k] as Flag<unknown>]));
  const values = new Map<string, string>();
  const errors: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') continue; // see wantsHelp
    const m = /^(--?)([^=]+)(?:=(.*))?$/s.exec(arg);
    if (m === null) {
      errors.push(`unexpected argument ${JSON.stringify(arg)}: modelship takes flags only (see --help)`);
      continue;
    }
    const [, dashes, name = '', inline] = m;
    const f = dashes === '--' ? byName.get(name) : undefined;
    if (f === undefined) {
      const guess = suggest(name, [...byName.keys()]);
      errors.push(`unknown flag ${dashes}${name}${guess === undefined ? '' : `; did you mean --${guess}?`}`);
      continue;
    }
    if (inline !== undefined) {
      values.set(name, inline);
      continue;
    }
    const next = argv[i + 1];
    if (f.boolean) {
      // `--leader-elect false` as well as `--leader-elect=false`; a bare flag means true.
      const explicit = next === 'true' || next === 'false';
      values.set(name, explicit ? next : 'true');
      if (explicit) i++;
    } else if (next === undefined || next.startsWith('--')) {
      errors.push(`--${name} needs a value (--${name}=VALUE or --${name} VALUE)`);
    } else {
      values.set(name, next);
      i++;
    }
  }
  return { values, errors };
}

/** The closest flag name within an edit distance of 3, or one the input is a prefix of. */
function suggest(input: string, names: string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of names) {
    const d = name.startsWith(input) ? 0 : editDistance(input, name);
    if (d <= 3 && (best === undefined || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}

export function configHelp(): string {
  const lines = KEYS.map((k) => {
    const f: Flag<unknown> = FLAGS[k];
    const usage = f.boolean ? `--${f.name}[=true|false]` : `--${f.name}=VALUE`;
    return `  ${usage}\n      ${f.help} Default: ${defaultText(f)}. Environment: ${envName(f.name)}.`;
  });
  return [
    'Usage: modelship [flags]',
    '',
    'Runs the modelship operator. Flags win over environment variables; durations look like 500ms, 15s, 1m30s.',
    '',
    'Flags:',
    ...lines,
    '  -h, --help',
    '      Show this help.',
    '',
  ].join('\n');
}
