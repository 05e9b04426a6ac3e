// PURE: the verdict on one answer of the smoke check. An answer passes when it is 2xx, in time and
// JSON; with protocol v2 (the Open Inference Protocol) it must also carry outputs, each with a name
// and data, which is what every OIP client reads. Reasons are fixed text: a body is never quoted, since
// reasons reach status and Events and the answer may come from anything at the pod's address.
import type { SampleProtocol } from '../api/analysis-spec.ts';

export interface SmokeResponse {
  readonly status: number;
  readonly latencyMs: number;
  /** The response body as text. */
  readonly body: string;
}

export type SmokeVerdict = { ok: true } | { ok: false; reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function v2ShapeProblem(body: unknown): string | undefined {
  if (!isObject(body)) return 'an Open Inference Protocol response must be a JSON object';
  const outputs = body.outputs;
  if (!Array.isArray(outputs)) return 'the response has no outputs array (Open Inference Protocol)';
  if (outputs.length === 0) return 'the response has an empty outputs array';
  for (const [i, output] of (outputs as unknown[]).entries()) {
    if (!isObject(output)) return `outputs[${i}] is not an object`;
    if (typeof output.name !== 'string' || output.name === '') return `outputs[${i}] has no name`;
    if (output.data === undefined || output.data === null) return `outputs[${i}] has no data`;
  }
  return undefined;
}

export function judgeSmokeResponse(response: SmokeResponse, protocol: SampleProtocol, maxLatencyMs: number): SmokeVerdict {
  const { status, latencyMs, body } = response;
  if (status < 200 || status > 299) return { ok: false, reason: `HTTP ${status}` };
  if (latencyMs > maxLatencyMs) return { ok: false, reason: `answered in ${Math.round(latencyMs)} ms, over maxLatencyMs ${maxLatencyMs}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, reason: body.trim() === '' ? 'the response is empty, not JSON' : 'the response is not JSON' };
  }
  if (protocol === 'v2') {
    const problem = v2ShapeProblem(parsed);
    if (problem !== undefined) return { ok: false, reason: problem };
  }
  return { ok: true };
}
