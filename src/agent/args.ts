// `modelship agent` arguments (the contract the pod renderer writes). Pure.
import { parseLongOptions } from '../long-options.ts';
import { durationMs } from '../api/duration.ts';
import { parseS3Uri, type S3Location } from '../fetcher/s3-uri.ts';

export interface AgentIdentity {
  readonly namespace: string;
  readonly model: string;
  readonly version: string;
  readonly variant: string;
  readonly revision: string;
  readonly pod: string;
}

export interface AgentPlan {
  /**
   * The address both servers listen on: MODELSHIP_AGENT_HOST, else every interface. A pod has its own
   * network, so the default suits Kubernetes; where pods share one (a process-level runtime), each agent
   * must bind its pod's IP instead.
   */
  readonly host: string;
  readonly port: number;
  readonly upstream: URL;
  readonly metricsPort: number;
  readonly upstreamMetrics?: URL | undefined;
  readonly identity: AgentIdentity;
  readonly log?: S3Location | undefined;
  readonly sampleRate: number;
  readonly redact: readonly string[];
  readonly flushBytes: number;
  readonly flushIntervalMs: number;
  readonly bufferBytes: number;
  readonly maxBodyBytes: number;
  readonly labelLookbackMs: number;
}

export const AGENT_USAGE = `usage: agent --port P --upstream http://127.0.0.1:U --metrics-port M [--upstream-metrics URL]
             --namespace NS --model NAME --version V --variant stable|canary --revision N [--pod NAME]
             [--log-uri s3://bucket/prefix] [--sample-rate 1] [--redact f1,f2] [--flush-bytes 8Mi]
             [--flush-interval 10s] [--buffer-bytes 16Mi] [--max-body-bytes 1Mi] [--label-lookback 7d]
  --pod defaults to MODELSHIP_POD_NAME, then HOSTNAME. S3 settings come from the environment as for fetch.
`;

const KNOWN = new Set([
  'port', 'upstream', 'metrics-port', 'upstream-metrics', 'namespace', 'model', 'version', 'variant', 'revision', 'pod',
  'log-uri', 'sample-rate', 'redact', 'flush-bytes', 'flush-interval', 'buffer-bytes', 'max-body-bytes', 'label-lookback',
]);

/** 10s, 1500ms, 5m, 1h30m, 168h (Go-style, as the spec) or 7d. */
export function parseAgentDuration(text: string): number | undefined {
  // The spec's Go-style durations (1h30m, 168h) as the operator renders them, and days for people.
  const days = /^(\d+)d$/.exec(text.trim());
  if (days !== null) return Number(days[1]) * 86_400_000;
  return durationMs(text.trim());
}

/** 8Mi, 512Ki, 1Gi, 8MiB, 1M (decimal) or a bare number of bytes. */
export function parseBytes(text: string): number | undefined {
  const m = /^(\d+)(Ki|Mi|Gi|KiB|MiB|GiB|k|K|M|G)?$/.exec(text.trim());
  if (m === null) return undefined;
  const unit = (m[2] ?? '').replace(/B$/, '');
  const scale: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1000, K: 1000, M: 1e6, G: 1e9 };
  const n = Number(m[1]) * scale[unit]!;
  return Number.isSafeInteger(n) ? n : undefined;
}

function port(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

export type AgentArgsResult = { readonly ok: true; readonly plan: AgentPlan } | { readonly ok: false; readonly error: string };

export function parseAgentArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): AgentArgsResult {
  const parsed = parseLongOptions(argv, KNOWN, ['port', 'upstream', 'metrics-port', 'namespace', 'model', 'version', 'variant', 'revision']);
  if (!parsed.ok) return parsed;
  const get = (name: string) => parsed.values.get(name);
  const servePort = port(get('port'));
  const metricsPort = port(get('metrics-port'));
  if (servePort === undefined || metricsPort === undefined) return { ok: false, error: '--port and --metrics-port must be port numbers' };
  if (servePort === metricsPort) return { ok: false, error: '--port and --metrics-port must differ' };
  const upstream = httpUrl(get('upstream')!);
  if (upstream === undefined) return { ok: false, error: '--upstream must be an http:// URL' };
  const upstreamMetricsText = get('upstream-metrics');
  const upstreamMetrics = upstreamMetricsText !== undefined && upstreamMetricsText !== '' ? httpUrl(upstreamMetricsText) : undefined;
  if (upstreamMetricsText !== undefined && upstreamMetricsText !== '' && upstreamMetrics === undefined) return { ok: false, error: '--upstream-metrics must be an http:// URL' };
  const pod = [get('pod'), env.MODELSHIP_POD_NAME, env.HOSTNAME, 'agent'].find((v) => v !== undefined && v !== '')!;
  if (!/^[A-Za-z0-9._-]+$/.test(pod)) return { ok: false, error: `--pod '${pod}' must be made of [A-Za-z0-9._-]` };
  let log: S3Location | undefined;
  const logUri = get('log-uri');
  if (logUri !== undefined && logUri !== '') {
    if (!logUri.startsWith('s3://')) return { ok: false, error: '--log-uri must be an s3:// URI' };
    const parsed = parseS3Uri(logUri);
    if (typeof parsed === 'string') return { ok: false, error: parsed };
    log = { bucket: parsed.bucket, key: parsed.key.replace(/\/+$/, '') };
  }
  const sampleRate = Number(get('sample-rate') ?? '1');
  if (!Number.isFinite(sampleRate) || sampleRate < 0 || sampleRate > 1 || get('sample-rate') === '') return { ok: false, error: '--sample-rate must be a number from 0 to 1' };
  const redact = (get('redact') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const sizes: Record<string, number> = {};
  for (const [name, dflt] of [['flush-bytes', '8Mi'], ['buffer-bytes', '16Mi'], ['max-body-bytes', '1Mi']] as const) {
    const n = parseBytes(get(name) ?? dflt);
    if (n === undefined || n < 1) return { ok: false, error: `--${name} must be a size such as ${dflt}` };
    sizes[name] = n;
  }
  const times: Record<string, number> = {};
  for (const [name, dflt] of [['flush-interval', '10s'], ['label-lookback', '7d']] as const) {
    const n = parseAgentDuration(get(name) ?? dflt);
    if (n === undefined || n < 1) return { ok: false, error: `--${name} must be a duration such as ${dflt}` };
    times[name] = n;
  }
  return {
    ok: true,
    plan: {
      host: env.MODELSHIP_AGENT_HOST !== undefined && env.MODELSHIP_AGENT_HOST !== '' ? env.MODELSHIP_AGENT_HOST : '0.0.0.0',
      port: servePort,
      upstream,
      metricsPort,
      upstreamMetrics,
      identity: { namespace: get('namespace')!, model: get('model')!, version: get('version')!, variant: get('variant')!, revision: get('revision')!, pod },
      log,
      sampleRate,
      redact,
      flushBytes: sizes['flush-bytes']!,
      bufferBytes: sizes['buffer-bytes']!,
      maxBodyBytes: sizes['max-body-bytes']!,
      flushIntervalMs: times['flush-interval']!,
      labelLookbackMs: times['label-lookback']!,
    },
  };
}
