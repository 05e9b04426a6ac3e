// The agent's own metrics, under the names the analysis queries, alerts and dashboards use. The scrape
// config adds namespace, pod, model_deployment, variant and revision as target labels, so request metrics
// carry none of them; label metrics carry the identity of the PREDICTION (possibly another pod's).
// No default process metrics: the model server's text is appended and has its own process_* series.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const REQUEST_DURATION_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type PredictionLabels = 'prediction_variant' | 'prediction_revision' | 'prediction_version';
const PREDICTION: PredictionLabels[] = ['prediction_variant', 'prediction_revision', 'prediction_version'];

export interface AgentMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'code'>;
  readonly duration: Histogram;
  readonly logRecords: Counter<'outcome'>;
  readonly logFlushes: Counter<'result'>;
  readonly bufferRecords: Gauge;
  readonly upstreamScrapeErrors: Counter;
  readonly labels: Counter<PredictionLabels | 'result'>;
  readonly labelAbsoluteError: Counter<PredictionLabels>;
  readonly labelSquaredError: Counter<PredictionLabels>;
  readonly labelErrors: Counter<PredictionLabels>;
  readonly labelsUnmatched: Counter;
  readonly h2cConnections: Counter;
  readonly h2cStreams: Counter;
}

export function createAgentMetrics(bufferRecords: () => number): AgentMetrics {
  const registry = new Registry();
  const registers = [registry];
  const logRecords = new Counter({ name: 'modelship_agent_log_records_total', help: 'Sampled request/response records by outcome: written to object storage, dropped (buffer full), sampled_out.', labelNames: ['outcome'], registers });
  for (const outcome of ['written', 'dropped', 'sampled_out']) logRecords.inc({ outcome }, 0);
  const logFlushes = new Counter({ name: 'modelship_agent_log_flushes_total', help: 'Uploads of log files to object storage by result (each attempt).', labelNames: ['result'], registers });
  for (const result of ['ok', 'error']) logFlushes.inc({ result }, 0);
  return {
    registry,
    requests: new Counter({ name: 'modelship_inference_requests_total', help: 'Proxied HTTP requests by status code ("0": the model server could not be reached).', labelNames: ['code'], registers }),
    duration: new Histogram({ name: 'modelship_inference_request_duration_seconds', help: 'Time from request start to response end as the agent sees it.', buckets: [...REQUEST_DURATION_BUCKETS], registers }),
    logRecords,
    logFlushes,
    bufferRecords: new Gauge({ name: 'modelship_agent_log_buffer_records', help: 'Records in memory waiting for (or being) uploaded.', registers, collect() { this.set(bufferRecords()); } }),
    upstreamScrapeErrors: new Counter({ name: 'modelship_agent_upstream_scrape_errors_total', help: "Failed scrapes of the model server's own metrics.", registers }),
    labels: new Counter({ name: 'modelship_inference_labels_total', help: 'Ground-truth labels joined to a logged classification, by the prediction identity and result.', labelNames: [...PREDICTION, 'result'], registers }),
    labelAbsoluteError: new Counter({ name: 'modelship_inference_label_absolute_error_sum', help: 'Sum of |label - prediction| over joined regression labels.', labelNames: PREDICTION, registers }),
    labelSquaredError: new Counter({ name: 'modelship_inference_label_squared_error_sum', help: 'Sum of (label - prediction)^2 over joined regression labels.', labelNames: PREDICTION, registers }),
    labelErrors: new Counter({ name: 'modelship_inference_label_errors_count', help: 'Joined regression labels.', labelNames: PREDICTION, registers }),
    labelsUnmatched: new Counter({ name: 'modelship_inference_labels_unmatched_total', help: 'Labels with no logged prediction found within the lookback.', registers }),
    // Not in modelship_inference_requests_total: a piped stream's status is HPACK-encoded and not read, and
    // a count without a code would lower the error rate that alerts and canary analysis read.
    h2cConnections: new Counter({ name: 'modelship_inference_h2c_connections_total', help: 'HTTP/2 cleartext (gRPC) connections piped raw to the model server.', registers }),
    h2cStreams: new Counter({ name: 'modelship_inference_h2c_streams_total', help: 'Streams (gRPC calls) clients opened on piped HTTP/2 cleartext connections; no status is read.', registers }),
  };
}
