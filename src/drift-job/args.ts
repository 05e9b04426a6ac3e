// The arguments of `modelship profile` and `modelship drift`. Pure.
import { parseDuration } from '../batch-runner/args.ts';
import { parseS3Uri } from '../fetcher/s3-uri.ts';
import type { S3Location } from '../fetcher/s3-uri.ts';
import { parseLongOptions } from '../long-options.ts';
import { parseFeatureSpecs, type FeatureSpec } from './feature-spec.ts';

export type ReferenceFormat = 'csv' | 'jsonl' | 'parquet';

export type SourceUri = { readonly kind: 's3'; readonly uri: string; readonly location: S3Location } | { readonly kind: 'https'; readonly uri: string };

export interface ProfilePlan {
  readonly reference: SourceUri;
  readonly format: ReferenceFormat;
  readonly target?: string | undefined;
  readonly exclude: readonly string[];
  readonly features?: readonly FeatureSpec[] | undefined;
  readonly output: { readonly uri: string; readonly location: S3Location };
  readonly terminationLog?: string | undefined;
}

/** `profile --logs ...`: the reference is a window of the model's own logged requests. */
export interface LoggedProfilePlan {
  readonly logs: { readonly uri: string; readonly bucket: string; readonly base: string };
  readonly namespace: string;
  readonly model: string;
  /** Only this version's requests; every version's when unset. */
  readonly version?: string | undefined;
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  readonly features?: readonly FeatureSpec[] | undefined;
  /** Fewer request rows in the window than this fail the profile. */
  readonly minSamples: number;
  readonly output: { readonly uri: string; readonly location: S3Location };
  readonly terminationLog?: string | undefined;
}

export interface DriftPlan {
  readonly profile: { readonly uri: string; readonly location: S3Location };
  /** The log URI's bucket and base key (no trailing '/'). */
  readonly logs: { readonly uri: string; readonly bucket: string; readonly base: string };
  readonly namespace: string;
  readonly model: string;
  readonly version: string;
  readonly windowEndMs: number;
  readonly windowMs: number;
  readonly features?: readonly FeatureSpec[] | undefined;
  readonly predictions: boolean;
  readonly alpha: number;
  readonly effectSize: { readonly measure: 'psi' | 'jensenShannon'; readonly threshold: number };
  readonly minSamples: number;
  readonly report: { readonly uri: string; readonly location: S3Location };
  readonly terminationLog?: string | undefined;
}

export const PROFILE_USAGE = `usage: profile --reference s3://...|https://... --output s3://.../profile.json
               [--format csv|jsonl|parquet] [--target COLUMN] [--exclude A,B]
               [--features JSON] [--termination-log /dev/termination-log]
       profile --logs s3://LOG_URI --namespace NS --model NAME [--version V]
               --window-start RFC3339 --window-end RFC3339 --output s3://.../profile.json
               [--features JSON] [--min-samples 100] [--termination-log /dev/termination-log]
  The format defaults from the reference's extension. With --logs, the reference is the logged requests
  (and predictions) of the window, at most 744h. S3 settings come from the environment as for fetch.
`;

export const DRIFT_USAGE = `usage: drift --profile s3://.../profile.json --logs s3://LOG_URI --namespace NS --model NAME
             --version V --window-end RFC3339 --report s3://.../report.json [--window 1h]
             [--features JSON] [--predictions] [--alpha 0.05] [--effect-size psi:0.02]
             [--min-samples 100] [--termination-log /dev/termination-log]
  S3 settings come from the environment as for fetch.
`;

export type ArgsResult<T> = { readonly ok: true; readonly plan: T } | { readonly ok: false; readonly error: string };

const MIN_WINDOW_MS = 60_000;
/** 31 days, as drift.reference.logged allows. */
const MAX_LOGGED_WINDOW_MS = 744 * 3_600_000;
const MAX_WINDOW_MS = 168 * 3_600_000;
/** Output URIs appear in the termination messages, which must stay within 3 KiB (drift) and 1 KiB (profile). */
const MAX_URI = 1500;
const MAX_PROFILE_OUTPUT_URI = 900;

function s3Output(name: string, uri: string, maxChars = MAX_URI): { uri: string; location: S3Location } | string {
  if (!uri.startsWith('s3://')) return `--${name} must be an s3:// URI`;
  if (uri.length > maxChars) return `--${name} is longer than ${maxChars} characters`;
  const location = parseS3Uri(uri);
  if (typeof location === 'string') return location;
  if (location.key === '' || location.key.endsWith('/')) return `--${name} must name an object, not a folder`;
  return { uri, location };
}

export function sourceUri(uri: string): SourceUri | string {
  if (uri.startsWith('s3://')) {
    const location = parseS3Uri(uri);
    if (typeof location === 'string') return location;
    if (location.key === '' || location.key.endsWith('/')) return `${uri}: the reference must be one object, not a folder`;
    return { kind: 's3', uri, location };
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `${uri}: not a URI`;
  }
  // Plain http only for local test servers, as the fetcher.
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `${uri}: only s3:// and https:// are supported`;
  if (url.username !== '' || url.password !== '') return `${uri}: credentials in the URI are not allowed`;
  return { kind: 'https', uri };
}

/** The reference's format, or why there is none. */
export function formatOf(uri: string, given: string | undefined): { format: ReferenceFormat } | { error: string } {
  if (given !== undefined) return given === 'csv' || given === 'jsonl' || given === 'parquet' ? { format: given } : { error: `--format must be csv, jsonl or parquet, not '${given}'` };
  const path = uri.replace(/[?#].*$/, '').toLowerCase();
  if (path.endsWith('.csv')) return { format: 'csv' };
  if (path.endsWith('.jsonl') || path.endsWith('.ndjson')) return { format: 'jsonl' };
  if (path.endsWith('.parquet')) return { format: 'parquet' };
  return { error: `${uri}: cannot tell the format from the extension; pass --format csv|jsonl|parquet` };
}

/** `--predictions` alone is `--predictions=true`: the only option that is a switch. */
function withSwitches(argv: readonly string[]): string[] {
  return argv.flatMap((a, i) => (a === '--predictions' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')) ? ['--predictions=true'] : [a]));
}

const PROFILE_KNOWN = new Set(['reference', 'format', 'target', 'exclude', 'features', 'output', 'termination-log']);

export function parseProfileArgs(argv: readonly string[]): ArgsResult<ProfilePlan> {
  const parsed = parseLongOptions(argv, PROFILE_KNOWN, ['reference', 'output']);
  if (!parsed.ok) return parsed;
  const v = parsed.values;
  const reference = sourceUri(v.get('reference')!);
  if (typeof reference === 'string') return { ok: false, error: reference };
  const formatted = formatOf(reference.uri, v.get('format'));
  if ('error' in formatted) return { ok: false, error: formatted.error };
  const { format } = formatted;
  const output = s3Output('output', v.get('output')!, MAX_PROFILE_OUTPUT_URI);
  if (typeof output === 'string') return { ok: false, error: output };
  const target = v.get('target') === '' ? undefined : v.get('target');
  const exclude = (v.get('exclude') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  let features: readonly FeatureSpec[] | undefined;
  if (v.get('features') !== undefined && v.get('features') !== '') {
    const f = parseFeatureSpecs(v.get('features')!);
    if (typeof f === 'string') return { ok: false, error: f };
    features = f;
    const clash = f.find((x) => x.name === target || exclude.includes(x.name));
    if (clash !== undefined) return { ok: false, error: `--features: '${clash.name}' is also the target or excluded` };
  }
  return { ok: true, plan: { reference, format, target, exclude, features, output, terminationLog: v.get('termination-log') || undefined } };
}

/** An RFC 3339 time in ms, or why not. */
function timeArg(name: string, text: string): number | string {
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text) || !Number.isFinite(ms)) return `--${name} '${text}' is not an RFC 3339 time`;
  return ms;
}

function logsArg(text: string): LoggedProfilePlan['logs'] | string {
  const uri = text.replace(/\/+$/, '');
  if (!uri.startsWith('s3://')) return '--logs must be an s3:// URI';
  const at = parseS3Uri(uri);
  if (typeof at === 'string') return at;
  return { uri, bucket: at.bucket, base: at.key };
}

function minSamplesArg(text: string | undefined): number | string {
  const minText = text ?? '100';
  const n = /^\d+$/.test(minText) ? Number(minText) : Number.NaN;
  return n >= 10 && n <= 1_000_000 ? n : `--min-samples must be an integer from 10 to 1000000, not '${minText}'`;
}

function featuresArg(text: string | undefined): readonly FeatureSpec[] | undefined | string {
  return text === undefined || text === '' ? undefined : parseFeatureSpecs(text);
}

const LOGGED_PROFILE_KNOWN = new Set(['logs', 'namespace', 'model', 'version', 'window-start', 'window-end', 'features', 'min-samples', 'output', 'termination-log']);

export function parseLoggedProfileArgs(argv: readonly string[]): ArgsResult<LoggedProfilePlan> {
  const parsed = parseLongOptions(argv, LOGGED_PROFILE_KNOWN, ['logs', 'namespace', 'model', 'window-start', 'window-end', 'output']);
  if (!parsed.ok) return parsed;
  const v = parsed.values;
  const fail = (error: string): ArgsResult<LoggedProfilePlan> => ({ ok: false, error });
  const logs = logsArg(v.get('logs')!);
  if (typeof logs === 'string') return fail(logs);
  const windowStartMs = timeArg('window-start', v.get('window-start')!);
  if (typeof windowStartMs === 'string') return fail(windowStartMs);
  const windowEndMs = timeArg('window-end', v.get('window-end')!);
  if (typeof windowEndMs === 'string') return fail(windowEndMs);
  if (windowEndMs <= windowStartMs) return fail('--window-end must be after --window-start');
  if (windowEndMs - windowStartMs > MAX_LOGGED_WINDOW_MS) return fail('the window from --window-start to --window-end must be at most 744h (31 days)');
  const minSamples = minSamplesArg(v.get('min-samples'));
  if (typeof minSamples === 'string') return fail(minSamples);
  const features = featuresArg(v.get('features'));
  if (typeof features === 'string') return fail(features);
  const output = s3Output('output', v.get('output')!, MAX_PROFILE_OUTPUT_URI);
  if (typeof output === 'string') return fail(output);
  const version = v.get('version') === '' ? undefined : v.get('version');
  return {
    ok: true,
    plan: { logs, namespace: v.get('namespace')!, model: v.get('model')!, version, windowStartMs, windowEndMs, features, minSamples, output, terminationLog: v.get('termination-log') || undefined },
  };
}

/** `profile` of a sample file, or with --logs of a logged window. */
export function parseAnyProfileArgs(argv: readonly string[]): ArgsResult<ProfilePlan | LoggedProfilePlan> {
  return argv.some((a) => a === '--logs' || a.startsWith('--logs=')) ? parseLoggedProfileArgs(argv) : parseProfileArgs(argv);
}

const DRIFT_KNOWN = new Set(['profile', 'logs', 'namespace', 'model', 'version', 'window-end', 'window', 'features', 'predictions', 'alpha', 'effect-size', 'min-samples', 'report', 'termination-log']);

export function parseDriftArgs(argv: readonly string[]): ArgsResult<DriftPlan> {
  const parsed = parseLongOptions(withSwitches(argv), DRIFT_KNOWN, ['profile', 'logs', 'namespace', 'model', 'version', 'window-end', 'report']);
  if (!parsed.ok) return parsed;
  const v = parsed.values;
  const fail = (error: string): ArgsResult<DriftPlan> => ({ ok: false, error });
  const profile = s3Output('profile', v.get('profile')!);
  if (typeof profile === 'string') return fail(profile);
  const report = s3Output('report', v.get('report')!);
  if (typeof report === 'string') return fail(report);
  const logs = logsArg(v.get('logs')!);
  if (typeof logs === 'string') return fail(logs);
  const windowEndMs = timeArg('window-end', v.get('window-end')!);
  if (typeof windowEndMs === 'string') return fail(windowEndMs);
  const windowMs = parseDuration(v.get('window') ?? '1h');
  if (windowMs === undefined || windowMs < MIN_WINDOW_MS || windowMs > MAX_WINDOW_MS) return fail(`--window must be a duration from 1m to 168h, not '${v.get('window')}'`);
  const alpha = Number(v.get('alpha') ?? '0.05');
  if (!(alpha > 0 && alpha < 1)) return fail(`--alpha must be a number in (0, 1), not '${v.get('alpha')}'`);
  const effect = /^(psi|jensenShannon):(\d+(?:\.\d+)?(?:e-?\d+)?)$/.exec(v.get('effect-size') ?? 'psi:0.02');
  if (effect === null || !Number.isFinite(Number(effect[2]))) return fail(`--effect-size must be psi:<threshold> or jensenShannon:<threshold>, not '${v.get('effect-size')}'`);
  const minSamples = minSamplesArg(v.get('min-samples'));
  if (typeof minSamples === 'string') return fail(minSamples);
  const predictionsText = v.get('predictions') ?? 'false';
  if (predictionsText !== 'true' && predictionsText !== 'false') return fail(`--predictions takes no value (or true/false), not '${predictionsText}'`);
  const features = featuresArg(v.get('features'));
  if (typeof features === 'string') return fail(features);
  return {
    ok: true,
    plan: {
      profile,
      logs,
      namespace: v.get('namespace')!,
      model: v.get('model')!,
      version: v.get('version')!,
      windowEndMs,
      windowMs,
      features,
      predictions: predictionsText === 'true',
      alpha,
      effectSize: { measure: effect[1] as 'psi' | 'jensenShannon', threshold: Number(effect[2]) },
      minSamples,
      report,
      terminationLog: v.get('termination-log') || undefined,
    },
  };
}
