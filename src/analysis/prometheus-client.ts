// The operator's Prometheus client: one instant query, one number. The I/O edge of analysis: the request is
// here; what an answer means is parseQueryResponse, pure, so every shape Prometheus can send is unit-tested.
// Two failures, because the rollout treats them differently: Unavailable (no answer worth reading; try the
// next interval) and Query (Prometheus answered that the query is wrong; a person must change it).
import { Agent, fetch } from 'undici';
import { z } from 'zod';
import { errorMessage } from '../errors.ts';
import { redactLabelSets } from './redact-label-sets.ts';

/** A query's value: a number (NaN and ±Infinity included, as PromQL gives them), or undefined for no data. */
export type PrometheusValue = number | undefined;

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://prometheus.monitoring:9090 (a path prefix is kept). */
  readonly address: string;
  /** Sent as Authorization: Bearer <token> (trimmed: Secret values often end in a newline). */
  readonly bearerToken?: string;
  /** PEM CA bundle that signed an https server's certificate. */
  readonly caPem?: string;
  readonly insecureSkipVerify?: boolean;
  /** Whole request, default 5000 ms; also sent as Prometheus's own evaluation timeout. */
  readonly timeoutMs?: number;
}

export interface PrometheusClient {
  /** Evaluates `promql` at `time` (default: now on the server). */
  query(promql: string, time?: Date): Promise<PrometheusValue>;
  /** Closes idle connections. */
  close(): Promise<void>;
}

/** No usable answer: connection refused, timeout, HTTP 5xx or any other non-query failure, a body that is not Prometheus's JSON. */
export class PrometheusUnavailableError extends Error {
  readonly address: string;
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;

  constructor(address: string, detail: string, status?: number, options?: ErrorOptions) {
    super(`Prometheus at ${address} is unavailable: ${detail}`, options);
    this.name = 'PrometheusUnavailableError';
    this.address = address;
    this.status = status;
  }
}

/** Prometheus refused the query (bad PromQL, failed evaluation) or its result is not one number. */
export class PrometheusQueryError extends Error {
  /** Prometheus's errorType (bad_data, execution, ...), or modelship's: multiple_series, wrong_result_type. */
  readonly errorType: string;
  readonly query: string;

  constructor(errorType: string, detail: string, query: string) {
    super(`query failed (${errorType}): ${detail}`);
    this.name = 'PrometheusQueryError';
    this.errorType = errorType;
    this.query = query;
  }
}

const sampleSchema = z.tuple([z.number(), z.string()]);
const successSchema = z.object({
  status: z.literal('success'),
  data: z.discriminatedUnion('resultType', [
    z.object({
      resultType: z.literal('vector'),
      // A native histogram sample has `histogram` instead of `value`.
      result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sampleSchema.optional() })),
    }),
    z.object({ resultType: z.literal('scalar'), result: sampleSchema }),
    z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
    z.object({ resultType: z.literal('string'), result: sampleSchema }),
  ]),
});
const errorSchema = z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() });

/** Go's strconv.FormatFloat spellings Prometheus sends. */
function sampleNumber(text: string): number | undefined {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const n = Number(text);
  return text.trim() !== '' && !Number.isNaN(n) ? n : undefined;
}

/** What an HTTP answer to /api/v1/query means: the value, or one of the two errors thrown. */
export function parseQueryResponse(address: string, status: number, body: string, promql: string): PrometheusValue {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new PrometheusUnavailableError(address, `HTTP ${status} with a body that is not JSON: ${body.slice(0, 200)}`, status);
  }
  const failed = errorSchema.safeParse(json);
  // 400 bad_data, 422 execution: the query is at fault. 503 timeout/canceled, 500 internal: the server is.
  if (failed.success && (status === 400 || status === 422 || (status >= 200 && status < 300))) {
    throw new PrometheusQueryError(failed.data.errorType, redactLabelSets(failed.data.error), promql);
  }
  if (status < 200 || status >= 300) {
    const detail = failed.success ? `${failed.data.errorType}: ${redactLabelSets(failed.data.error)}` : body.slice(0, 200);
    throw new PrometheusUnavailableError(address, `HTTP ${status}: ${detail}`, status);
  }
  const parsed = successSchema.safeParse(json);
  if (!parsed.success) throw new PrometheusUnavailableError(address, `not a Prometheus query response: ${body.slice(0, 200)}`, status);
  const data = parsed.data.data;
  let text: string;
  switch (data.resultType) {
    case 'scalar':
      text = data.result[1];
      break;
    case 'vector': {
      if (data.result.length === 0) return undefined;
      const [first, ...rest] = data.result;
      // A count only: the series' label sets are not status material.
      if (rest.length > 0) {
        throw new PrometheusQueryError('multiple_series', `the query must return one series but returned ${data.result.length}; aggregate it, e.g. sum(...)`, promql);
      }
      if (!first?.value) throw new PrometheusQueryError('wrong_result_type', 'the query returns a native histogram; reduce it to a number, e.g. histogram_quantile(0.95, ...)', promql);
      text = first.value[1];
      break;
    }
    case 'matrix':
      throw new PrometheusQueryError('wrong_result_type', 'the query returns a range vector; reduce it to a number, e.g. sum(rate(...[5m]))', promql);
    case 'string':
      throw new PrometheusQueryError('wrong_result_type', 'the query returns a string; it must return a number', promql);
  }
  const value = sampleNumber(text);
  if (value === undefined) throw new PrometheusUnavailableError(address, `the sample value ${JSON.stringify(text)} is not a number`, status);
  return value;
}

function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  // undici's "fetch failed" hides the reason (ECONNREFUSED, a certificate error) in its cause.
  return errorMessage(err instanceof Error && err.cause instanceof Error ? err.cause : err);
}

export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const address = options.address.replace(/\/+$/, '');
  const url = new URL(`${address}/api/v1/query`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`Prometheus address ${options.address} must be an http:// or https:// URL`);
  const timeoutMs = options.timeoutMs ?? 5000;
  const dispatcher = new Agent({
    connect: { ...(options.caPem ? { ca: options.caPem } : {}), rejectUnauthorized: !options.insecureSkipVerify },
  });
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'modelship',
    ...(options.bearerToken ? { authorization: `Bearer ${options.bearerToken.trim()}` } : {}),
  };

  return {
    async query(promql, time) {
      // POST keeps long queries out of URL length limits; every Prometheus-compatible API accepts it.
      const form = new URLSearchParams({ query: promql, timeout: `${Math.max(1, Math.floor(timeoutMs / 1000))}s` });
      if (time) form.set('time', (time.getTime() / 1000).toFixed(3));
      let status: number;
      let body: string;
      try {
        const res = await fetch(url, { method: 'POST', headers, body: form.toString(), dispatcher, signal: AbortSignal.timeout(timeoutMs) });
        status = res.status;
        body = await res.text();
      } catch (err) {
        throw new PrometheusUnavailableError(address, describeFailure(err, timeoutMs), undefined, { cause: err });
      }
      return parseQueryResponse(address, status, body, promql);
    },
    close: () => dispatcher.close(),
  };
}
