// spec.rollout.validation and spec.rollout.analysis: evidence before and while a canary takes
// traffic (docs/analysis.md). Validation runs once per canary revision before any weight is given;
// analysis queries Prometheus every `interval` and gates, pauses or rolls back the steps.
import { z } from 'zod';
import { celString, withCelRules } from './cel-rule.ts';
import { int32, listMap, objectName } from './common.ts';
import { DURATION, MAX_DURATION_LENGTH, durationMs } from './duration.ts';
import { userJobFields } from './user-job-fields.ts';
import { MAX_SHORT_STRING, MAX_URI_LENGTH } from './limits.ts';
import { KNOWN_PLACEHOLDERS_TEXT, QUERY_TEMPLATE_RE2, queryTemplateProblem } from './query-template.ts';

export const MAX_ANALYSIS_METRICS = 8;
export const MAX_QUERY_LENGTH = 4096;
export const DEFAULT_ANALYSIS_INTERVAL = '1m';
export const DEFAULT_FAILURE_LIMIT = 2;
export const DEFAULT_INCONCLUSIVE_LIMIT = 10;
export const DEFAULT_LATENCY_QUANTILE = 0.95;
export const DEFAULT_MIN_LABELS = 100;
export const DEFAULT_DRIFT_ALPHA = 0.01;
export const DEFAULT_DRIFT_MIN_SAMPLES = 200;
export const DEFAULT_DRIFT_THRESHOLD = 0.1;
/** The largest Jensen–Shannon distance with natural logarithms, sqrt(ln 2), rounded down to what the CEL rule allows. */
export const MAX_DRIFT_THRESHOLD = 0.83;
export const DRIFT_MEASURES = ['jensenShannon'] as const;
export const DEFAULT_SMOKE_MAX_LATENCY_MS = 2000;
export const DEFAULT_VALIDATION_JOB_TIMEOUT_SECONDS = 600;
export const SAMPLE_PROTOCOLS = ['v2', 'json'] as const;
export type SampleProtocol = (typeof SAMPLE_PROTOCOLS)[number];

const duration = (what: string) =>
  z
    .string()
    .max(MAX_DURATION_LENGTH)
    .regex(DURATION, { error: 'must be a duration such as 30s, 1m or 5m' })
    .describe(what);

const secretKey = (what: string) =>
  z
    .strictObject({
      name: objectName('Secret').describe('Name of a Secret in the ModelDeployment namespace.'),
      key: z
        .string()
        .min(1)
        .max(MAX_SHORT_STRING)
        .regex(/^[-._a-zA-Z0-9]+$/, { error: "must be a key of letters, digits, '-', '_' or '.'" })
        .describe('Key in the Secret.'),
    })
    .describe(what);

const fraction = (what: string) =>
  z
    .number()
    .min(0, { error: 'must be a fraction from 0 to 1' })
    .max(1, { error: 'must be a fraction from 0 to 1' })
    .describe(what);

/**
 * A probability strictly between 0 and 1. A CEL rule rather than exclusive bounds, so the message
 * can say why the ends are refused.
 */
const openFraction = (field: string, why: string, what: string) =>
  withCelRules(z.number().describe(what), [
    {
      rule: 'self > 0.0 && self < 1.0',
      message: `${field} must be between 0 and 1, both excluded: ${why}`,
      check: (v) => v > 0 && v < 1,
    },
  ]);

// ---- validation -------------------------------------------------------------------------------

const smokeSchema = withCelRules(
  z
    .strictObject({
      samples: z
        .strictObject({
          configMap: objectName('ConfigMap').describe('ConfigMap holding the sample requests.'),
          key: z
            .string()
            .min(1)
            .max(MAX_SHORT_STRING)
            .regex(/^[-._a-zA-Z0-9]+$/, { error: "must be a key of letters, digits, '-', '_' or '.'" })
            .default('samples.json')
            .describe('Key holding a JSON array of request bodies (default samples.json).'),
        })
        .describe('Where the sample requests are: a JSON array, one request body per item.'),
      protocol: z
        .enum(SAMPLE_PROTOCOLS)
        .default('v2')
        .describe('v2 (Open Inference Protocol: POST /v2/models/<model.name>/infer, response must have outputs) or json (POST `path`, any JSON response).'),
      path: z
        .string()
        .max(MAX_SHORT_STRING)
        .regex(/^\/[^\s]*$/, { error: 'must be a URL path starting with /' })
        .optional()
        .describe('Request path for protocol json, e.g. /invocations or /predict.'),
      maxLatencyMs: int32()
        .min(1, { error: 'must be at least 1' })
        .max(60_000, { error: 'must be at most 60000' })
        .default(DEFAULT_SMOKE_MAX_LATENCY_MS)
        .describe('Slowest acceptable response, in milliseconds (default 2000).'),
    })
    .describe('Built-in smoke check: sends each sample to every ready canary pod; all must answer 2xx with the expected shape in time.'),
  [
    {
      rule: "!has(self.protocol) || self.protocol != 'json' || has(self.path)",
      message: 'path is required when protocol is json, e.g. /invocations',
      fieldPath: '.path',
      reason: 'FieldValueRequired',
      check: (s) => s.protocol !== 'json' || s.path !== undefined,
    },
  ],
);

const validationJobSchema = z
  .strictObject({
    ...userJobFields('Image that scores a holdout set against the canary.', 'Environment; MODEL_URL (the canary Service) and MODEL_NAME are always set.'),
    timeoutSeconds: int32()
      .min(1, { error: 'must be at least 1' })
      .max(86_400, { error: 'must be at most 86400 (a day)' })
      .default(DEFAULT_VALIDATION_JOB_TIMEOUT_SECONDS)
      .describe('Fail the validation when the Job has not finished by then (default 600).'),
  })
  .describe('A Job run once per canary revision; it must exit 0. Its name is in status.analysis.validation.');

export const validationSpecSchema = withCelRules(
  z
    .strictObject({ smoke: smokeSchema.optional(), job: validationJobSchema.optional() })
    .describe('Checks the canary before any traffic reaches it; a failure aborts the rollout (Stalled).'),
  [
    {
      rule: 'has(self.smoke) != has(self.job)',
      message: 'validation sets exactly one of smoke or job',
      check: (v) => (v.smoke !== undefined) !== (v.job !== undefined),
    },
  ],
);

// ---- analysis ---------------------------------------------------------------------------------

// Which Prometheus: a source the platform configured, by name (the usual way; its address and credentials
// are the platform's), or an address of the user's own, which the platform must allow
// (src/analysis/prometheus-sources.ts). The operator alone knows what the platform allows: a source or
// address it refuses stops the canary with a Stalled reason, the schema only checks the shape.
const prometheusSchema = withCelRules(
  z
    .strictObject({
      source: z
        .string()
        .max(63)
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: "must be a source name of lower-case letters, digits and '-'" })
        .optional()
        .describe("Name of a Prometheus source the platform configured (ask your platform team which); default: the platform's default source."),
      address: z
        .string()
        .min(1)
        .max(MAX_URI_LENGTH)
        .regex(/^https?:\/\/[^\s]+$/, { error: 'must be an http:// or https:// URL' })
        .optional()
        .describe('A Prometheus base URL of your own, e.g. http://prometheus.team-a:9090; refused unless the platform allows the address.'),
      bearerTokenSecret: secretKey('With address only: bearer token sent as Authorization: Bearer <token>; the platform must allow it and the Secret must be labelled modelship.io/analysis-credentials: "true".').optional(),
      caSecret: secretKey('With address only: PEM CA bundle that signed the Prometheus server certificate; same conditions as bearerTokenSecret.').optional(),
      insecureSkipVerify: z.boolean().optional().describe('With address only: accept any server certificate (tests only).'),
    })
    .describe("Where the metrics are: a platform source by name, or (when the platform allows it) an address; default: the platform's default source."),
  [
    {
      rule: '!(has(self.source) && has(self.address))',
      message: 'prometheus takes a source or an address, not both: source names a Prometheus the platform configured, address is one of your own',
      check: (p) => p.source === undefined || p.address === undefined,
    },
    {
      rule: 'has(self.address) || !(has(self.bearerTokenSecret) || has(self.caSecret) || has(self.insecureSkipVerify))',
      message: "bearerTokenSecret, caSecret and insecureSkipVerify go with address only: a platform source brings its own credentials",
      check: (p) => p.address !== undefined || (p.bearerTokenSecret === undefined && p.caSecret === undefined && p.insecureSkipVerify === undefined),
    },
  ],
);

const successRateSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Set false to turn the built-in error-rate check off.'),
    alpha: openFraction(
      'alpha',
      'it is the accepted chance of failing a healthy canary, e.g. 0.05; 0 could never fail a canary and 1 fails every one',
      'Bound on the false-failure probability over the whole rollout, between 0 and 1 excluded (default 0.05).',
    ).optional(),
    tolerance: fraction('Pass when the canary error rate is at most this much above stable (absolute; default 0.01).').optional(),
    minimum: fraction('Absolute floor: fail an interval whose canary success rate is below it, e.g. 0.99.').optional(),
  })
  .describe('Canary vs stable error rate: an always-valid sequential test (mSPRT), safe to look at every interval.');

const latencySchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Set false to turn the built-in latency check off.'),
    quantile: openFraction(
      'quantile',
      'e.g. 0.95 compares the 95th percentiles; 0 and 1 are the fastest and slowest request, which a histogram cannot measure',
      'Latency quantile compared, between 0 and 1 excluded, e.g. 0.95 (default) or 0.99.',
    ).optional(),
    tolerance: z
      .number()
      .min(0, { error: 'must be 0 or more' })
      .max(10, { error: 'must be at most 10' })
      .optional()
      .describe('Pass when the canary quantile is at most (1 + tolerance) x stable (default 0.2).'),
    maxMs: int32().min(1).max(600_000).optional().describe('Absolute ceiling for the canary quantile, in milliseconds.'),
  })
  .describe('Canary vs stable latency quantile, with a stated tolerance.');

// Ground truth joined by the inference agent (spec.monitoring.logging, feedback endpoint): the labels
// count per revision that served the prediction, whichever pod received the label.
const accuracySchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Set false to turn the accuracy check off while keeping its settings.'),
    alpha: openFraction(
      'alpha',
      'the accepted chance of failing a canary as accurate as stable, e.g. 0.05',
      'Bound on the false-failure probability over the whole rollout, between 0 and 1 excluded (default 0.05).',
    ).optional(),
    tolerance: fraction('Pass when the canary accuracy is at most this much below stable (absolute; default 0.01).').optional(),
    minLabels: int32()
      .min(1, { error: 'must be at least 1' })
      .max(1_000_000)
      .default(DEFAULT_MIN_LABELS)
      .describe('Labelled predictions each revision needs before a verdict other than Inconclusive (default 100).'),
  })
  .describe(
    "Canary vs stable accuracy on labelled predictions (the inference agent's modelship_inference_labels_total), by the error-rate check's sequential test. Off unless set.",
  );

// Predictions counted by the inference agent of each pod (modelship_inference_predictions_total and the
// modelship_inference_prediction_value histogram): canary against stable over the same window, so a broken
// new version shows before any label arrives.
const driftEffectSizeSchema = z
  .strictObject({
    measure: z.enum(DRIFT_MEASURES).default('jensenShannon').describe('jensenShannon: the Jensen–Shannon distance of the two prediction distributions (natural log, 0 to 0.83).'),
    threshold: withCelRules(z.number().describe(`Distance from which a significant difference fails the canary (default ${DEFAULT_DRIFT_THRESHOLD}).`), [
      {
        rule: `self > 0.0 && self <= ${MAX_DRIFT_THRESHOLD}`,
        message: `effectSize.threshold must be above 0 and at most ${MAX_DRIFT_THRESHOLD}: it is a Jensen–Shannon distance (natural log, at most about ${MAX_DRIFT_THRESHOLD}), e.g. 0.1; 0 would fail the canary on any significant difference and a larger value never`,
        check: (v) => v > 0 && v <= MAX_DRIFT_THRESHOLD,
      },
    ]).optional(),
  })
  .describe('How large a difference must be to fail the canary, beside being significant.');

const driftSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Set false to turn the drift check off while keeping its settings.'),
    alpha: openFraction(
      'drift.alpha',
      'it is the accepted chance of failing a canary whose predictions are distributed as stable\'s over the whole rollout, e.g. 0.01',
      `Bound on the false-failure probability over the whole rollout, between 0 and 1 excluded (default ${DEFAULT_DRIFT_ALPHA}); spent over the measurements (docs/analysis.md).`,
    ).optional(),
    minSamples: int32()
      .min(10, { error: 'must be at least 10' })
      .max(1_000_000, { error: 'must be at most 1000000' })
      .default(DEFAULT_DRIFT_MIN_SAMPLES)
      .describe(`Predictions each variant needs before a verdict other than Inconclusive (default ${DEFAULT_DRIFT_MIN_SAMPLES}).`),
    effectSize: driftEffectSizeSchema.optional(),
  })
  .describe(
    "Canary vs stable prediction distributions (the inference agent's modelship_inference_predictions_total and modelship_inference_prediction_value): chi-squared homogeneity plus an effect size. Off unless set.",
  );

export const customMetricSchema = withCelRules(
  z.strictObject({
    name: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: "must be a name of lower-case letters, digits and '-'" })
      .describe('Name shown in status and Events.'),
    query: withCelRules(
      z
        .string()
        .min(1)
        .max(MAX_QUERY_LENGTH)
        .describe('PromQL returning one number; {{namespace}}, {{name}}, {{variant}}, {{revision}} and {{interval}} are replaced.'),
      [
        {
          // Such a query could never be sent: every measurement would be an Error, the canary stuck.
          rule: `self.matches(${celString(QUERY_TEMPLATE_RE2)})`,
          message: `query has an unknown placeholder or an unpaired {{ or }}; the placeholders are ${KNOWN_PLACEHOLDERS_TEXT}`,
          messageFor: (q) => queryTemplateProblem(q) ?? '',
          check: (q) => queryTemplateProblem(q) === undefined,
        },
      ],
    ),
    min: z.number().optional().describe('Fail when the canary value is below.'),
    max: z.number().optional().describe('Fail when the canary value is above.'),
  }),
  [
    {
      rule: 'has(self.min) || has(self.max)',
      message: 'a metric needs min, max or both',
      check: (m) => m.min !== undefined || m.max !== undefined,
    },
    {
      rule: '!has(self.min) || !has(self.max) || self.min <= self.max',
      message: 'max must be greater than or equal to min: no value lies between them, so every measurement would fail',
      messageFor: (m) => `max (${m.max}) must be greater than or equal to min (${m.min}): no value lies between them, so every measurement would fail`,
      fieldPath: '.max',
      check: (m) => m.min === undefined || m.max === undefined || m.min <= m.max,
    },
    {
      rule: "!(self.name in ['success-rate', 'latency', 'accuracy'])",
      message: 'success-rate, latency and accuracy are the built-in checks: give the metric another name',
      fieldPath: '.name',
      check: (m) => m.name !== 'success-rate' && m.name !== 'latency' && m.name !== 'accuracy',
    },
  ],
);

/**
 * The shortest analysis interval. Every measurement is a round of Prometheus queries and a status write,
 * taken by workers shared by every namespace: a tiny interval would let one ModelDeployment keep them
 * busy. Prometheus itself usually scrapes every 15s to 1m, so a shorter interval measures nothing new.
 */
export const MIN_ANALYSIS_INTERVAL = '10s';

const analysisInterval = withCelRules(duration(`How often to measure (default ${DEFAULT_ANALYSIS_INTERVAL}, at least ${MIN_ANALYSIS_INTERVAL}).`), [
  {
    rule: `duration(self) >= duration('${MIN_ANALYSIS_INTERVAL}')`,
    message: `interval must be at least ${MIN_ANALYSIS_INTERVAL}, e.g. 30s or 1m: Prometheus collects new metrics only every few seconds, so a shorter interval measures nothing new and only adds load`,
    check: (s) => (durationMs(s) ?? 0) >= (durationMs(MIN_ANALYSIS_INTERVAL) ?? 0),
  },
]);

const analysisObject = z
  .strictObject({
    interval: analysisInterval.default(DEFAULT_ANALYSIS_INTERVAL),
    prometheus: prometheusSchema.optional(),
    successRate: successRateSchema.optional(),
    latency: latencySchema.optional(),
    accuracy: accuracySchema.optional(),
    drift: driftSchema.optional(),
    minRequests: int32()
      .min(1, { error: 'must be at least 1' })
      .max(1_000_000)
      .optional()
      .describe('Requests each variant needs before a verdict other than Inconclusive (default 100).'),
    metrics: listMap(customMetricSchema, 'name', MAX_ANALYSIS_METRICS).optional().describe('Custom checks: PromQL templates with a range.'),
    failureLimit: int32()
      .min(1, { error: 'must be at least 1' })
      .max(100)
      .default(DEFAULT_FAILURE_LIMIT)
      .describe('Failed measurements that roll the canary back (default 2).'),
    inconclusiveLimit: int32()
      .min(1, { error: 'must be at least 1' })
      .max(1000)
      .default(DEFAULT_INCONCLUSIVE_LIMIT)
      .describe('Inconclusive measurements in a row after which the canary pauses for a person (default 10).'),
  })
  .describe('Measures the canary against stable every interval; a weight step advances only on a Pass.');

const disabled = (check: 'successRate' | 'latency' | 'accuracy' | 'drift') => `has(self.${check}) && has(self.${check}.enabled) && !self.${check}.enabled`;

export const analysisSpecSchema = withCelRules(analysisObject, [
  {
    // Nothing to measure is Inconclusive every interval: the canary would only ever pause.
    rule: `!(${disabled('successRate')} && ${disabled('latency')}) || (has(self.accuracy) && !(${disabled('accuracy')})) || (has(self.drift) && !(${disabled('drift')})) || (has(self.metrics) && size(self.metrics) > 0)`,
    message:
      'analysis checks nothing: successRate and latency are disabled, accuracy and drift are not set and there are no metrics, so every measurement would be Inconclusive; enable a built-in check or add a metric',
    check: (a) =>
      a.successRate?.enabled !== false ||
      a.latency?.enabled !== false ||
      (a.accuracy !== undefined && a.accuracy.enabled) ||
      (a.drift !== undefined && a.drift.enabled) ||
      (a.metrics ?? []).length > 0,
  },
  {
    // The drift check came after custom metrics: a metric already named drift stays valid until the check is
    // turned on, when both would report as the one measurement `drift`.
    rule: `!has(self.drift) || ${disabled('drift')} || !has(self.metrics) || !self.metrics.exists(m, m.name == 'drift')`,
    message: 'a metric named drift clashes with the built-in drift check (both would report as check drift): rename the metric or turn drift off',
    fieldPath: '.metrics',
    check: (a) => a.drift === undefined || !a.drift.enabled || !(a.metrics ?? []).some((m) => m.name === 'drift'),
  },
]);

export type ValidationSpec = z.output<typeof validationSpecSchema>;
export type SmokeSpec = z.output<typeof smokeSchema>;
export type ValidationJobSpec = z.output<typeof validationJobSchema>;
export type AnalysisSpec = z.output<typeof analysisSpecSchema>;
export type PrometheusSpec = z.output<typeof prometheusSchema>;
export type CustomMetric = z.output<typeof customMetricSchema>;
export type AccuracySpec = z.output<typeof accuracySchema>;
export type DriftSpec = z.output<typeof driftSchema>;
