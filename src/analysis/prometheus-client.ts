// The operator's Prometheus client: one instant query, one number. The I/O edge of analysis: the request is
// here; what an answer means is parseQueryResponse, pure, so every shape Prometheus can send is unit-tested.
// Two failures, because the rollout treats them differently: Unavailable (no answer worth reading; try the
// next interval) and Query (Prometheus answered that the query is wrong; a person must change it).
import { z } from 'zod';
import { createOutboundClient, OutboundError, type Cidr } from '../outbound/index.ts';
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
  /** Loopback or link-local addresses the platform allows (--outbound-allow-cidrs); default none. */
  readonly allowCidrs?: readonly Cidr[];
}

/** An instant query's answer is one number; a bigger body is not Prometheus answering this query. */
export const MAX_PROMETHEUS_BODY_BYTES = 1024 * 1024;

/**
 * Series a grouped query (the drift check's counts by value or bucket) may return: the agent caps values per
 * pod, so more is many pods' distinct values, refused rather than read.
 */
export const MAX_GROUPED_SERIES = 512;

/** A grouped query's answer: each series' value by the one label it is grouped by. */
export type PrometheusGroups = ReadonlyMap<string, number>;

export interface PrometheusClient {
  /** Evaluates `promql` at `time` (default: now on the server). */
  query(promql: string, time?: Date, signal?: AbortSignal): Promise<PrometheusValue>;
  /** Evaluates `promql`, a `sum by (<by>) (...)`, at `time`: the value of each series by its `by` label. */
  queryGroups(promql: string, by: string, time?: Date, signal?: AbortSignal): Promise<PrometheusGroups>;
  /** Closes idle connections. */
  close(): Promise<void>;
}

/** No usable answer: connection refused, timeout, HTTP 5xx or any other non-query failure, a body that is not Prometheus's JSON. */
export class PrometheusUnavailableError extends Error {
  readonly address: string;
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;

  /** `detail` is fixed text of ours: never a remote body or a low-level error's message. */
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

type SuccessData = z.output<typeof successSchema>['data'];

/** The data of a successful answer, or one of the two errors thrown. */
function successData(address: string, status: number, body: string, promql: string): SuccessData {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new PrometheusUnavailableError(address, `answered HTTP ${status} with a body that is not JSON`, status);
  }
  const failed = errorSchema.safeParse(json);
  // 400 bad_data, 422 execution: the query is at fault. 503 timeout/canceled, 500 internal: the server is.
  if (failed.success && (status === 400 || status === 422 || (status >= 200 && status < 300))) {
    throw new PrometheusQueryError(failed.data.errorType, redactLabelSets(failed.data.error), promql);
  }
  if (status < 200 || status >= 300) {
    // Prometheus's errorType (timeout, internal, ...) is a word; its error text is not repeated.
    const type = failed.success && /^[a-z_]{1,32}$/.test(failed.data.errorType) ? ` (${failed.data.errorType})` : '';
    throw new PrometheusUnavailableError(address, `answered HTTP ${status}${type}`, status);
  }
  const parsed = successSchema.safeParse(json);
  if (!parsed.success) throw new PrometheusUnavailableError(address, 'answered JSON that is not a Prometheus query response', status);
  return parsed.data.data;
}

/** What an HTTP answer to /api/v1/query means: the value, or one of the two errors thrown. */
export function parseQueryResponse(address: string, status: number, body: string, promql: string): PrometheusValue {
  const data = successData(address, status, body, promql);
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
  if (value === undefined) throw new PrometheusUnavailableError(address, 'answered a sample value that is not a number', status);
  return value;
}

/**
 * What an HTTP answer to a grouped query means: each series' value by its `by` label (a series without it
 * under ""), or one of the two errors thrown. No series is an empty map: nothing counted yet.
 */
export function parseGroupsResponse(address: string, status: number, body: string, promql: string, by: string): PrometheusGroups {
  const data = successData(address, status, body, promql);
  if (data.resultType !== 'vector') throw new PrometheusQueryError('wrong_result_type', `the query returns a ${data.resultType}; it must return series grouped by ${by}`, promql);
  if (data.result.length > MAX_GROUPED_SERIES) {
    throw new PrometheusQueryError('too_many_series', `the query returned ${data.result.length} series, more than ${MAX_GROUPED_SERIES}`, promql);
  }
  const groups = new Map<string, number>();
  for (const series of data.result) {
    const key = series.metric[by] ?? '';
    if (groups.has(key)) throw new PrometheusQueryError('multiple_series', `the query returned two series with the same ${by}; group it by ${by} alone`, promql);
    if (!series.value) throw new PrometheusQueryError('wrong_result_type', 'the query returns a native histogram', promql);
    const value = sampleNumber(series.value[1]);
    if (value === undefined) throw new PrometheusUnavailableError(address, 'answered a sample value that is not a number', status);
    groups.set(key, value);
  }
  return groups;
}

/** What a failed request says: a bad header can only be the bearer token, named without its value. */
function requestFailure(err: unknown): string {
  if (!(err instanceof OutboundError)) return 'request failed';
  return err.failure.kind === 'bad-header' ? 'the bearer token has a line break or NUL inside, so it was not sent' : err.message;
}

/** The address for messages: scheme, host and path, never user:password or a query string. */
function shownAddress(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  let base: URL;
  try {
    base = new URL(options.address);
  } catch {
    throw new Error('the Prometheus address is not a URL');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('the Prometheus address must be an http:// or https:// URL');
  // Only the path is the user's: a query string or fragment would change what is asked.
  if (base.search !== '' || base.hash !== '' || base.username !== '' || base.password !== '') {
    throw new Error('the Prometheus address must be scheme://host[:port][/path], without credentials, ? or #');
  }
  const address = shownAddress(base);
  const url = new URL(`${base.pathname.replace(/\/+$/, '')}/api/v1/query`, base);
  const timeoutMs = options.timeoutMs ?? 5000;
  const http = createOutboundClient({
    allowCidrs: options.allowCidrs ?? [],
    ...(options.caPem ? { ca: options.caPem } : {}),
    ...(options.insecureSkipVerify ? { insecureSkipVerify: true } : {}),
  });
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'modelship',
    ...(options.bearerToken ? { authorization: `Bearer ${options.bearerToken.trim()}` } : {}),
  };

  const ask = async (promql: string, time: Date | undefined, signal: AbortSignal | undefined): Promise<{ status: number; body: string }> => {
    // POST keeps long queries out of URL length limits; every Prometheus-compatible API accepts it.
    const form = new URLSearchParams({ query: promql, timeout: `${Math.max(1, Math.floor(timeoutMs / 1000))}s` });
    if (time) form.set('time', (time.getTime() / 1000).toFixed(3));
    try {
      return await http.send(url, { method: 'POST', headers, body: form.toString(), maxBytes: MAX_PROMETHEUS_BODY_BYTES, timeoutMs, ...(signal ? { signal } : {}) });
    } catch (err) {
      // A bad header is the bearer token: said so without its value.
      throw new PrometheusUnavailableError(address, requestFailure(err), undefined);
    }
  };

  return {
    async query(promql, time, signal) {
      const { status, body } = await ask(promql, time, signal);
      return parseQueryResponse(address, status, body, promql);
    },
    async queryGroups(promql, by, time, signal) {
      const { status, body } = await ask(promql, time, signal);
      return parseGroupsResponse(address, status, body, promql, by);
    },
    close: () => http.close(),
  };
}
