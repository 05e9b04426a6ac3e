// PURE: where the smoke check sends its samples on each pod.
import type { SampleProtocol } from '../api/analysis-spec.ts';

/**
 * The request path: the Open Inference Protocol's infer endpoint for v2, `path` for json (where
 * servers differ: /invocations, /predict, ...). undefined when json has no path to go to.
 */
export function smokeRequestPath(protocol: SampleProtocol, modelName: string, path: string | undefined): string | undefined {
  return protocol === 'v2' ? `/v2/models/${encodeURIComponent(modelName)}/infer` : path;
}

/** http://<ip>:<port><path>, with brackets around an IPv6 address. */
export function podUrl(ip: string, port: number, path: string): string {
  return `http://${ip.includes(':') ? `[${ip}]` : ip}:${port}${path}`;
}
