// The S3 client's settings from the fetcher's environment (the keys of the ModelDeployment's credentials
// Secret), with the names KServe's storage-initializer and the AWS SDKs read. Pure.

export interface S3Settings {
  readonly region: string;
  /** A custom endpoint (an S3-compatible server); AWS's own when undefined. */
  readonly endpoint?: string | undefined;
  readonly forcePathStyle: boolean;
  /** Static keys when both are set; otherwise the SDK's default chain (web identity, instance roles). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string | undefined } | undefined;
}

const truthy = (v: string | undefined) => v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase());
const set = (v: string | undefined) => (v !== undefined && v.trim() !== '' ? v.trim() : undefined);

export function s3Settings(env: Readonly<Record<string, string | undefined>>): S3Settings {
  const region = set(env.AWS_REGION) ?? set(env.AWS_DEFAULT_REGION) ?? 'us-east-1';
  let endpoint = set(env.AWS_ENDPOINT_URL_S3) ?? set(env.AWS_ENDPOINT_URL);
  const bare = set(env.S3_ENDPOINT);
  if (endpoint === undefined && bare !== undefined) {
    // KServe's S3_ENDPOINT is host[:port]; S3_USE_HTTPS=0 makes it plain http.
    endpoint = /^https?:\/\//i.test(bare) ? bare : `${set(env.S3_USE_HTTPS) === '0' ? 'http' : 'https'}://${bare}`;
  }
  const pathStyle = set(env.S3_FORCE_PATH_STYLE);
  // Path-style on custom endpoints (what S3-compatible servers expect) unless virtual-hosted buckets are asked for.
  const forcePathStyle = pathStyle !== undefined ? truthy(pathStyle) : endpoint !== undefined && !truthy(env.S3_USER_VIRTUAL_BUCKET);
  const accessKeyId = set(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = set(env.AWS_SECRET_ACCESS_KEY);
  const credentials =
    accessKeyId !== undefined && secretAccessKey !== undefined ? { accessKeyId, secretAccessKey, sessionToken: set(env.AWS_SESSION_TOKEN) } : undefined;
  return { region, endpoint, forcePathStyle, credentials };
}
