// s3://bucket/key split into its parts, with the bucket named by S3's rules and no '..' segment in the
// key (a key is a path on every S3-compatible server backed by a file system). Pure; shared by the
// fetcher and the batch runner, so both refuse the same URIs with the same words.
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** The bucket and key of an `s3://` URI, or why it cannot be read. */
export function parseS3Uri(uri: string): S3Location | string {
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) return `${uri}: '${bucket}' is not a valid bucket name`;
  if (key.split('/').some((s) => s === '..')) return `${uri}: the key must not contain '..' segments`;
  return { bucket, key };
}
