// What the pod simulator knows about a pod, and how it answers as the pod's model server would: shared by
// the host side (pod-simulator.ts, which watches Pods) and the server inside the pod network namespace
// (pod-simulator-server.ts). Pure code: no I/O.
//
// Metric names per runtime preset, chosen from the container image (or the env SIMULATED_PRESET), with the
// real servers' names and labels (counters carry the `_total` suffix their client libraries expose):
//
// | preset | image contains | endpoint | series the simulator serves |
// |---|---|---|---|
// | mlserver | seldonio/mlserver | /metrics (MLServer's metrics port; every port here) | `model_infer_request_success_total{model,version}`, `model_infer_request_failure_total{model,version}`, `model_infer_request_duration` summary (`_count`, `_sum`, seconds), `rest_server_requests_total{method,path,status_code}`, `rest_server_request_duration_seconds` histogram |
// | triton | tritonserver | /metrics | `nv_inference_request_success{model,version}`, `nv_inference_request_failure{model,version,reason}`, `nv_inference_count{model,version}`, `nv_inference_exec_count{model,version}`, `nv_inference_request_duration_us{model,version}` (cumulative counter, microseconds) |
// | torchserve | torchserve | /metrics | `ts_inference_requests_total{model_name,model_version,hostname}`, `ts_inference_latency_microseconds{model_name,model_version,hostname}` (cumulative), `Requests2XX{Level,Hostname}`, `Requests5XX{Level,Hostname}` |
// | tensorflow-serving | tensorflow/serving | /monitoring/prometheus/metrics (also /metrics) | `:tensorflow:serving:request_count{model_name,status}` (status "OK" or the error), `:tensorflow:serving:request_latency` histogram `{model_name,API,entrypoint}` (microseconds) |
// | mlflow | mlflow | none: MLflow's scoring server has no Prometheus metrics, /metrics is 404 | |
// | custom | anything else | /metrics | `http_requests_total{code,model}`, `http_request_duration_seconds{model}` histogram (generic names: a custom server has its own) |

export type SimulatedPreset = 'mlserver' | 'triton' | 'torchserve' | 'tensorflow-serving' | 'mlflow' | 'custom';

export interface SimulatedContainer {
  readonly name: string;
  readonly image: string;
  readonly ports: readonly number[];
  /** Literal env values (valueFrom is not resolved). */
  readonly env: Readonly<Record<string, string>>;
}

export interface SimulatedPod {
  /** namespace/name */
  readonly key: string;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly ip: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly containers: readonly SimulatedContainer[];
}

/** Requests one pod received, as counted by the simulator (kept after the pod is gone). */
export interface PodRequestStats {
  readonly key: string;
  readonly uid: string;
  readonly ip: string;
  readonly variant: string;
  readonly version: string;
  /** Every HTTP request. */
  requests: number;
  /** Inference requests (any protocol), failed ones included. */
  infer: number;
  /** Inference requests answered with a simulated 500. */
  inferFailures: number;
  /** When the last request arrived (ISO time). */
  lastRequestAt: string | undefined;
}

export const LABEL_MODEL_DEPLOYMENT = 'modelship.io/model-deployment';
export const LABEL_VARIANT = 'modelship.io/variant';
export const LABEL_VERSION = 'app.kubernetes.io/version';

export function presetOf(container: Pick<SimulatedContainer, 'image' | 'env'>): SimulatedPreset {
  const forced = container.env.SIMULATED_PRESET;
  if (forced && isPreset(forced)) return forced;
  const image = container.image.toLowerCase();
  if (image.includes('seldonio/mlserver') || image.includes('/mlserver')) return 'mlserver';
  if (image.includes('tritonserver')) return 'triton';
  if (image.includes('torchserve')) return 'torchserve';
  if (image.includes('tensorflow/serving')) return 'tensorflow-serving';
  if (image.includes('mlflow')) return 'mlflow';
  return 'custom';
}

function isPreset(value: string): value is SimulatedPreset {
  return ['mlserver', 'triton', 'torchserve', 'tensorflow-serving', 'mlflow', 'custom'].includes(value);
}

export interface Behaviour {
  readonly latencyMs: number;
  readonly errorRate: number;
}

/** Latency and error rate from a container's env: SIMULATED_LATENCY_MS (>= 0), SIMULATED_ERROR_RATE (0..1). */
export function behaviourOf(env: Readonly<Record<string, string>>): Behaviour {
  const latency = Number(env.SIMULATED_LATENCY_MS ?? 0);
  const rate = Number(env.SIMULATED_ERROR_RATE ?? 0);
  return {
    latencyMs: Number.isFinite(latency) && latency > 0 ? latency : 0,
    errorRate: Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : 0,
  };
}

/** What an inference request is, recognised from method and path, with the model name it names. */
export type InferenceKind = 'v2' | 'tf-predict' | 'torchserve' | 'mlflow';

export function inferenceRoute(method: string, path: string): { kind: InferenceKind; model: string } | undefined {
  if (method !== 'POST') return undefined;
  let m = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/infer$/.exec(path);
  if (m) return { kind: 'v2', model: decodeURIComponent(m[1]!) };
  m = /^\/v1\/models\/([^/:]+)(?:\/versions\/[^/:]+)?:(?:predict|classify|regress)$/.exec(path);
  if (m) return { kind: 'tf-predict', model: decodeURIComponent(m[1]!) };
  m = /^\/predictions\/([^/]+)(?:\/[^/]+)?$/.exec(path);
  if (m) return { kind: 'torchserve', model: decodeURIComponent(m[1]!) };
  if (path === '/invocations') return { kind: 'mlflow', model: '' };
  return undefined;
}

/** Health, readiness and metadata endpoints every preset answers with 200. */
export function healthResponse(method: string, path: string, version: string): unknown {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  if (path === '/v2/health/live' || path === '/v2/health/ready') return {};
  if (path === '/ping') return { status: 'Healthy' };
  if (path === '/health' || path === '/healthz' || path === '/readyz') return { status: 'ok' };
  if (path === '/v2') return { name: 'modelship-pod-simulator', version: '1', extensions: [] };
  let m = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/ready$/.exec(path);
  if (m) return {};
  m = /^\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?$/.exec(path);
  if (m) return { name: decodeURIComponent(m[1]!), versions: [version], platform: 'simulated', inputs: [], outputs: [] };
  m = /^\/v1\/models\/([^/:]+)(?:\/versions\/[^/:]+)?$/.exec(path);
  if (m) return { model_version_status: [{ version, state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] };
  return undefined;
}

/** The number of rows in an inference request (first input's first dimension), 1 when unknown. */
function rowsOf(body: unknown): number {
  const b = body as { inputs?: { shape?: number[] }[]; instances?: unknown[]; dataframe_split?: { data?: unknown[] } } | undefined;
  const n = b?.inputs?.[0]?.shape?.[0] ?? b?.instances?.length ?? b?.dataframe_split?.data?.length ?? 1;
  return Number.isInteger(n) && n > 0 && n <= 10_000 ? n : 1;
}

/** A successful answer in the protocol of the request; outputs carry one number per row. */
export function inferenceResponse(kind: InferenceKind, model: string, version: string, id: string, body: unknown): unknown {
  const rows = rowsOf(body);
  const data = Array.from({ length: rows }, (_, i) => i % 2);
  switch (kind) {
    case 'v2':
      return { model_name: model, model_version: version, id, parameters: {}, outputs: [{ name: 'predict', shape: [rows], datatype: 'INT64', data }] };
    case 'tf-predict':
      return { predictions: data };
    case 'torchserve':
      return data;
    case 'mlflow':
      return { predictions: data };
  }
}

/** Counters behind one pod's /metrics, per model name seen in its inference requests. */
export interface ModelCounters {
  success: number;
  failure: number;
  /** Seconds, summed over all inference requests. */
  durationSum: number;
  /** Cumulative counts per bucket upper bound (seconds), as in metricBuckets. */
  buckets: number[];
}

export const metricBuckets: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function newCounters(): ModelCounters {
  return { success: 0, failure: 0, durationSum: 0, buckets: metricBuckets.map(() => 0) };
}

export function observe(c: ModelCounters, ok: boolean, seconds: number): void {
  if (ok) c.success++;
  else c.failure++;
  c.durationSum += seconds;
  metricBuckets.forEach((le, i) => {
    if (seconds <= le) c.buckets[i]!++;
  });
}

function labels(pairs: Record<string, string>): string {
  const body = Object.entries(pairs)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');
  return `{${body}}`;
}

function histogram(name: string, base: Record<string, string>, c: ModelCounters, scale: number): string[] {
  const total = c.success + c.failure;
  return [
    ...metricBuckets.map((le, i) => `${name}_bucket${labels({ ...base, le: String(le * scale) })} ${c.buckets[i]}`),
    `${name}_bucket${labels({ ...base, le: '+Inf' })} ${total}`,
    `${name}_sum${labels(base)} ${c.durationSum * scale}`,
    `${name}_count${labels(base)} ${total}`,
  ];
}

/**
 * The pod's /metrics page in its preset's own names (see the table at the top), or undefined for a
 * preset without Prometheus metrics (mlflow).
 */
export function metricsText(preset: SimulatedPreset, version: string, hostname: string, byModel: ReadonlyMap<string, ModelCounters>): string | undefined {
  const lines: string[] = [];
  const models = [...byModel.entries()];
  const family = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  switch (preset) {
    case 'mlflow':
      return undefined;
    case 'mlserver': {
      family('model_infer_request_success_total', 'counter', 'Model infer request success count');
      for (const [model, c] of models) lines.push(`model_infer_request_success_total${labels({ model, version })} ${c.success}`);
      family('model_infer_request_failure_total', 'counter', 'Model infer request failure count');
      for (const [model, c] of models) lines.push(`model_infer_request_failure_total${labels({ model, version })} ${c.failure}`);
      family('model_infer_request_duration', 'summary', 'Model infer request duration');
      for (const [model, c] of models) {
        lines.push(`model_infer_request_duration_count${labels({ model, version })} ${c.success + c.failure}`);
        lines.push(`model_infer_request_duration_sum${labels({ model, version })} ${c.durationSum}`);
      }
      family('rest_server_requests_total', 'counter', 'Total number of REST requests');
      for (const [model, c] of models) {
        const path = `/v2/models/${model}/infer`;
        lines.push(`rest_server_requests_total${labels({ method: 'POST', path, status_code: '200' })} ${c.success}`);
        lines.push(`rest_server_requests_total${labels({ method: 'POST', path, status_code: '500' })} ${c.failure}`);
      }
      family('rest_server_request_duration_seconds', 'histogram', 'REST request duration in seconds');
      for (const [model, c] of models) lines.push(...histogram('rest_server_request_duration_seconds', { method: 'POST', path: `/v2/models/${model}/infer` }, c, 1));
      break;
    }
    case 'triton': {
      family('nv_inference_request_success', 'counter', 'Number of successful inference requests, all batch sizes');
      for (const [model, c] of models) lines.push(`nv_inference_request_success${labels({ model, version })} ${c.success}`);
      family('nv_inference_request_failure', 'counter', 'Number of failed inference requests, all batch sizes');
      for (const [model, c] of models) lines.push(`nv_inference_request_failure${labels({ model, reason: 'OTHER', version })} ${c.failure}`);
      family('nv_inference_count', 'counter', 'Number of inferences performed (does not include cached requests)');
      for (const [model, c] of models) lines.push(`nv_inference_count${labels({ model, version })} ${c.success}`);
      family('nv_inference_exec_count', 'counter', 'Number of model executions performed (does not include cached requests)');
      for (const [model, c] of models) lines.push(`nv_inference_exec_count${labels({ model, version })} ${c.success}`);
      family('nv_inference_request_duration_us', 'counter', 'Cumulative inference request duration in microseconds (includes cached requests)');
      for (const [model, c] of models) lines.push(`nv_inference_request_duration_us${labels({ model, version })} ${Math.round(c.durationSum * 1e6)}`);
      break;
    }
    case 'torchserve': {
      family('ts_inference_requests_total', 'counter', 'Torchserve prometheus counter metric with unit: Count');
      for (const [model, c] of models) lines.push(`ts_inference_requests_total${labels({ model_name: model, model_version: version, hostname })} ${c.success + c.failure}`);
      family('ts_inference_latency_microseconds', 'counter', 'Torchserve prometheus counter metric with unit: Microseconds');
      for (const [model, c] of models) lines.push(`ts_inference_latency_microseconds${labels({ model_name: model, model_version: version, hostname })} ${Math.round(c.durationSum * 1e6)}`);
      const ok = models.reduce((n, [, c]) => n + c.success, 0);
      const failed = models.reduce((n, [, c]) => n + c.failure, 0);
      family('Requests2XX', 'counter', 'Torchserve prometheus counter metric with unit: Count');
      lines.push(`Requests2XX${labels({ Level: 'Host', Hostname: hostname })} ${ok}`);
      family('Requests5XX', 'counter', 'Torchserve prometheus counter metric with unit: Count');
      lines.push(`Requests5XX${labels({ Level: 'Host', Hostname: hostname })} ${failed}`);
      break;
    }
    case 'tensorflow-serving': {
      family(':tensorflow:serving:request_count', 'counter', 'The total number of requests.');
      for (const [model, c] of models) {
        lines.push(`:tensorflow:serving:request_count${labels({ model_name: model, status: 'OK' })} ${c.success}`);
        if (c.failure > 0) lines.push(`:tensorflow:serving:request_count${labels({ model_name: model, status: 'INTERNAL' })} ${c.failure}`);
      }
      family(':tensorflow:serving:request_latency', 'histogram', 'Distribution of wall time (in microseconds) for Tensorflow Serving request.');
      for (const [model, c] of models) lines.push(...histogram(':tensorflow:serving:request_latency', { model_name: model, API: 'predict', entrypoint: 'REST' }, c, 1e6));
      break;
    }
    case 'custom': {
      family('http_requests_total', 'counter', 'HTTP inference requests');
      for (const [model, c] of models) {
        lines.push(`http_requests_total${labels({ code: '200', model })} ${c.success}`);
        lines.push(`http_requests_total${labels({ code: '500', model })} ${c.failure}`);
      }
      family('http_request_duration_seconds', 'histogram', 'HTTP inference request duration');
      for (const [model, c] of models) lines.push(...histogram('http_request_duration_seconds', { model }, c, 1));
      break;
    }
  }
  return `${lines.join('\n')}\n`;
}
