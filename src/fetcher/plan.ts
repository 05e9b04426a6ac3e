// The fetch command's arguments, parsed into what to fetch, where to, and within which limits. Pure.
import { parseS3Uri } from './s3-uri.ts';
export type FetchSource =
  | { readonly kind: 's3'; readonly bucket: string; readonly key: string }
  | { readonly kind: 'https'; readonly url: string };

export interface FetchPlan {
  /** The URI as given, for messages. */
  readonly uri: string;
  readonly source: FetchSource;
  readonly dest: string;
  /** Lower-case hex sha256 of the single object fetched (a file or an archive, before unpacking). */
  readonly sha256?: string | undefined;
  /** Bytes fetched, and bytes unpacked from an archive, at most. */
  readonly maxBytes: number;
  /** Files of a folder prefix, or entries of an archive, at most. */
  readonly maxEntries: number;
  /** Whether an object named .tar.gz, .tgz or .zip is unpacked (the default). */
  readonly unpack: boolean;
  /** A file to write the last line to (the container's terminationMessagePath), when given. */
  readonly terminationLog?: string | undefined;
}

export const DEFAULT_MAX_BYTES = 64 * 1024 ** 3;
export const DEFAULT_MAX_ENTRIES = 100_000;

export const FETCH_USAGE = `usage: fetch [options] <uri> <destination>
  <uri>            s3://bucket/key-or-prefix or https://host/path (http:// only with --allow-http)
  <destination>    folder to create (or an empty one, e.g. a volume's mount point)
  --sha256 HEX     sha256 of the single object fetched (checked before it is unpacked)
  --max-bytes N    bytes fetched and unpacked at most (default ${DEFAULT_MAX_BYTES})
  --max-entries N  files of a prefix or entries of an archive at most (default ${DEFAULT_MAX_ENTRIES})
  --no-unpack      keep .tar.gz, .tgz and .zip objects as they are
  --allow-http     accept http:// (tests and local servers only)
  --termination-log PATH
                   also write the last line to PATH (the container's terminationMessagePath,
                   e.g. /dev/termination-log); a path that cannot be written is skipped
S3: credentials and settings from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN, AWS_REGION or AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, or
S3_ENDPOINT with S3_USE_HTTPS=0|1; S3_FORCE_PATH_STYLE or S3_USER_VIRTUAL_BUCKET for the addressing style).
`;

export type ParseResult = { readonly ok: true; readonly plan: FetchPlan } | { readonly ok: false; readonly error: string };

export function parseSource(uri: string, allowHttp: boolean): FetchSource | string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 's3') {
    const s3 = parseS3Uri(uri);
    return typeof s3 === 'string' ? s3 : { kind: 's3', ...s3 };
  }
  if (scheme === 'https' || (scheme === 'http' && allowHttp)) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return `${uri}: not a valid URL`;
    }
    if (url.username !== '' || url.password !== '') return `${uri}: credentials in the URL are refused`;
    return { kind: 'https', url: url.href };
  }
  if (scheme === 'http') return `${uri}: http:// is refused (use https://)`;
  if (scheme === 'gs') return `${uri}: gs:// is not supported by this fetcher; use the bucket's S3-compatible endpoint (s3:// with S3_ENDPOINT=storage.googleapis.com and HMAC keys), or set --fetcher-image`;
  if (scheme === 'pvc' || scheme === 'oci') return `${uri}: ${scheme}:// models are mounted or copied by the pod itself, not fetched`;
  return `${uri}: unsupported scheme (s3:// or https://)`;
}

function positiveInteger(value: string | undefined): number | undefined {
  return value !== undefined && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : undefined;
}

export function parseFetchArgs(argv: readonly string[]): ParseResult {
  const positional: string[] = [];
  let sha256: string | undefined;
  let maxBytes = DEFAULT_MAX_BYTES;
  let maxEntries = DEFAULT_MAX_ENTRIES;
  let unpack = true;
  let allowHttp = false;
  let terminationLog: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (arg.startsWith('--') && eq !== -1 ? arg.slice(eq + 1) : argv[++i]);
    if (flag === '--sha256') {
      const v = value()?.toLowerCase();
      if (v === undefined || !/^[0-9a-f]{64}$/.test(v)) return { ok: false, error: '--sha256 needs 64 hex digits' };
      sha256 = v;
    } else if (flag === '--max-bytes' || flag === '--max-entries') {
      const v = positiveInteger(value());
      if (v === undefined) return { ok: false, error: `${flag} needs a positive integer` };
      if (flag === '--max-bytes') maxBytes = v;
      else maxEntries = v;
    } else if (flag === '--termination-log') {
      const v = value();
      if (v === undefined || v === '') return { ok: false, error: '--termination-log needs a path' };
      terminationLog = v;
    } else if (flag === '--no-unpack') unpack = false;
    else if (flag === '--allow-http') allowHttp = true;
    else if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    } else if (arg.startsWith('-')) return { ok: false, error: `unknown option ${flag}` };
    else positional.push(arg);
  }
  if (positional.length !== 2) return { ok: false, error: `expected <uri> <destination>, got ${positional.length} argument(s)` };
  const [uri, dest] = positional as [string, string];
  if (dest === '') return { ok: false, error: 'the destination is empty' };
  const source = parseSource(uri, allowHttp);
  if (typeof source === 'string') return { ok: false, error: source };
  return { ok: true, plan: { uri, source, dest, sha256, maxBytes, maxEntries, unpack, terminationLog } };
}

/** The object key's or URL path's last segment: the file name a single object is saved under. */
export function objectFileName(keyOrPath: string): string {
  const segments = keyOrPath.split('/').filter((s) => s !== '');
  return segments.at(-1) ?? '';
}
