// The agent's own metrics, under the names the analysis queries, alerts and dashboards use. The scrape
// config adds namespace, pod, model_deployment, variant and revision as target labels, so request metrics
// carry none of them; label metrics carry the identity of the PREDICTION (possibly another pod's).
// No default process metrics: the model server's text is appended and has its own process_* series.
import { Counter, Gauge, Histogram, Registry } from '../prom-client-classes.ts';

export const REQUEST_DURATION_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Buckets of real-valued predictions: fine over [0, 1], where probabilities and most scores live (tenths,
 * with the tails 0.01, 0.05, 0.95 and 0.99 where a confident classifier's mass is), and decades outside it for
 * logits and regression outputs (with 0.3 and 3 between the decades nearest it). Fixed, so the bins of
 * canary and stable are always the same. No bound is -1: prom-client uses -1 for "above every bound" and
 * would count such values in that bucket.
 */
export const PREDICTION_VALUE_BUCKETS: readonly number[] = [
  -1000, -100, -10, -3, -0.3, 0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1, 3, 10, 100, 1000,
];
export const PREDICTIONS_METRIC = 'modelship_inference_predictions_total';
export const PREDICTION_VALUE_METRIC = 'modelship_inference_prediction_value';

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
  readonly predictions: Counter<'output' | 'value'>;
  readonly predictionValues: Histogram<'output'>;
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
    // Every 2xx inference response, logged or not: the canary analysis compares these between revisions.
    predictions: new Counter({ name: PREDICTIONS_METRIC, help: 'Categorical predictions (integers, booleans, short strings) in 2xx inference responses, by output and value (capped per pod; __other__ beyond).', labelNames: ['output', 'value'], registers }),
    predictionValues: new Histogram({ name: PREDICTION_VALUE_METRIC, help: 'Real-valued predictions in 2xx inference responses, by output.', labelNames: ['output'], buckets: [...PREDICTION_VALUE_BUCKETS], registers }),
  };
}
