// `modelship top`'s Prometheus reads: instant queries answered with a vector of labelled samples. The CLI
// runs as the user, against a Prometheus the user chose (often a port-forward on localhost), so it uses
// plain fetch rather than the operator's guarded client; what an answer means is parseVector, pure.
import { z } from 'zod';
import type { VectorSample } from './format-top.ts';

const answerSchema = z.union([
  z.object({
    status: z.literal('success'),
    data: z.object({
      resultType: z.literal('vector'),
      result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]).optional() })),
    }),
  }),
  z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }),
]);

/** The samples of a vector answer; throws with Prometheus's own words when it refused the query. */
export function parseVector(body: string): VectorSample[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('Prometheus answered something that is not JSON');
  }
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) throw new Error('Prometheus answered JSON that is not an instant vector');
  if (parsed.data.status === 'error') throw new Error(`query failed (${parsed.data.errorType}): ${parsed.data.error}`);
  return parsed.data.data.result.flatMap((r) => (r.value === undefined ? [] : [{ labels: r.metric, value: Number(r.value[1].replace(/^\+?Inf$/, 'Infinity')) }]));
}

export async function queryVector(address: string, promql: string, timeoutMs = 10_000): Promise<VectorSample[]> {
  const url = new URL(`${new URL(address).pathname.replace(/\/+$/, '')}/api/v1/query`, address);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': 'modelship-cli' },
      body: new URLSearchParams({ query: promql }).toString(),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new Error(`Prometheus at ${url.origin} cannot be reached`, { cause: err });
  }
  const body = await response.text();
  if (!response.ok && response.status !== 400 && response.status !== 422) throw new Error(`Prometheus at ${url.origin} answered HTTP ${response.status}`);
  return parseVector(body);
}
