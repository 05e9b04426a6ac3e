// Input and output locations: s3://bucket/key or pvc://claim/path, the claim mounted under
// MODELSHIP_PVC_ROOT (default /mnt/pvc) as <root>/<claim>/<path>. Pure.
import { posix } from 'node:path';
import { parseS3Uri } from '../fetcher/s3-uri.ts';

export type Location =
  | { readonly kind: 's3'; readonly uri: string; readonly bucket: string; readonly key: string }
  | { readonly kind: 'local'; readonly uri: string; readonly path: string };

export const DEFAULT_PVC_ROOT = '/mnt/pvc';

export function parseLocation(uri: string, pvcRoot: string): Location | string {
  if (uri.startsWith('s3://')) {
    const s3 = parseS3Uri(uri);
    return typeof s3 === 'string' ? s3 : { kind: 's3', uri, ...s3 };
  }
  if (uri.startsWith('pvc://')) {
    const [claim = '', ...rest] = uri.slice('pvc://'.length).split('/');
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(claim)) return `${uri}: '${claim}' is not a valid claim name`;
    if (rest.some((s) => s === '..')) return `${uri}: the path must not contain '..' segments`;
    return { kind: 'local', uri, path: posix.join(pvcRoot, claim, ...rest.filter((s) => s !== '')) };
  }
  return `${uri}: only s3:// and pvc:// are supported`;
}

/** Whether a listed name is data: names starting with '_' or '.' (markers, temporaries) are not, in any segment. */
export function isDataName(relative: string): boolean {
  return relative.split('/').every((s) => s !== '' && !s.startsWith('_') && !s.startsWith('.'));
}
