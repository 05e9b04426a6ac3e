// A fetch failure with its class (exit-codes.ts) and a short text of our own, and the mapping of the errors
// the sources throw (AWS SDK, fetch, the file system) onto those classes. Texts are built from fixed words,
// the URI (which the API refuses to carry credentials) and error code names, never from a server's message
// body or the environment, so no credential can reach the log. Pure.
import type { FetchFailureClass } from './exit-codes.ts';

export class FetchFailure extends Error {
  readonly cls: FetchFailureClass;
  /** Whether trying again may help (network, 5xx, throttling). */
  readonly transient: boolean;

  constructor(cls: FetchFailureClass, text: string, transient = false) {
    super(text);
    this.cls = cls;
    this.transient = transient;
  }
}

/** A code name as sent by a server or Node (NoSuchKey, ECONNRESET), or undefined if it is anything else. */
function codeName(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(value) ? value : undefined;
}

function field(err: unknown, key: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[key] : undefined;
}

const NOT_FOUND = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound', 'NoSuchObject']);
const DENIED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden', 'ExpiredToken', 'InvalidToken', 'AllAccessDisabled', 'Unauthorized', 'CredentialsProviderError', 'XAdminUserNotFound']);
const THROTTLED = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestTimeout', 'InternalError', 'ServiceUnavailable', 'TimeoutError', 'RequestTimeoutException']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE']);
const LOCAL = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'ENOTDIR', 'EISDIR', 'EEXIST', 'ENOTEMPTY', 'EMFILE']);

/** The first code name along an error's cause chain (Node puts the socket's code on fetch's cause). */
function networkCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    const code = codeName(field(current, 'code'));
    if (code !== undefined) return code;
    current = field(current, 'cause');
  }
  return undefined;
}

/** Classifies an error thrown while reading `what` (a URI or a file) into a FetchFailure. */
export function classifySourceError(err: unknown, what: string): FetchFailure {
  if (err instanceof FetchFailure) return err;
  const name = codeName(field(err, 'Code')) ?? codeName(field(err, 'name'));
  const metadata = field(err, '$metadata');
  const status = typeof field(metadata, 'httpStatusCode') === 'number' ? (field(metadata, 'httpStatusCode') as number) : undefined;
  const code = networkCode(err);
  const tag = (n: string | undefined) => (n !== undefined && n !== 'Error' && n !== 'TypeError' ? ` (${n})` : '');
  // By name first: some servers answer an unknown access key with 404 (versitygw's XAdminUserNotFound).
  if (name !== undefined && DENIED.has(name)) return new FetchFailure('AccessDenied', `${what}: access denied${tag(name)}`);
  if ((name !== undefined && NOT_FOUND.has(name)) || status === 404 || status === 410) return new FetchFailure('ModelNotFound', `${what}: not found${tag(name)}`);
  if (status === 401 || status === 403) return new FetchFailure('AccessDenied', `${what}: access denied${tag(name)}`);
  if (code !== undefined && LOCAL.has(code)) return new FetchFailure('LocalWrite', `${what}: cannot write the model (${code})`);
  if ((name !== undefined && THROTTLED.has(name)) || (status !== undefined && (status >= 500 || status === 429 || status === 408))) {
    return new FetchFailure('Unavailable', `${what}: the server failed${tag(name ?? (status !== undefined ? `HTTP ${status}` : undefined))}`, true);
  }
  if (code !== undefined && NETWORK.has(code)) return new FetchFailure('Unavailable', `${what}: network error (${code})`, true);
  if (name === 'AbortError' || name === 'TimeoutError') return new FetchFailure('Unavailable', `${what}: timed out`, true);
  if (status !== undefined) return new FetchFailure('Unavailable', `${what}: unexpected response (HTTP ${status}${name !== undefined ? `, ${name}` : ''})`);
  return new FetchFailure('Unavailable', `${what}: failed${tag(name ?? code)}`);
}
