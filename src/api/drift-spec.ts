// spec.monitoring.drift: scheduled checks of whether the logged traffic of the stable version still looks
// like the data it was trained on (docs/drift.md). A profile Job summarises the reference once per served
// version (once per window for a logged reference: it does not depend on the version); a check Job on
// `schedule` compares the latest `window` of logged requests with it.
import { z } from 'zod';
import { boundedDuration } from './bounded-duration.ts';
import { celString, withCelRules } from './cel-rule.ts';
import { int32, listMap, objectName } from './common.ts';
import { cronScheduleRule, scheduleTimeZone } from './cron-schedule.ts';
import { DNS_LABEL_MAX, MAX_URI_LENGTH } from './limits.ts';
import { LABEL_VALUE } from './patterns.ts';
import { hasUserinfo, hasUserinfoCel, uriCredentialsMessage } from './uri-credentials.ts';

export const DRIFT_FORMATS = ['csv', 'jsonl', 'parquet'] as const;
export type DriftFormat = (typeof DRIFT_FORMATS)[number];
export const FEATURE_TYPES = ['numeric', 'categorical'] as const;
export const EFFECT_SIZE_MEASURES = ['psi', 'jensenShannon'] as const;
export type EffectSizeMeasure = (typeof EFFECT_SIZE_MEASURES)[number];

export const MAX_DRIFT_FEATURES = 64;
export const MAX_EXCLUDED_COLUMNS = 64;
const MAX_COLUMN_NAME = 128;
const MAX_CRON_LENGTH = 100;
const MAX_MODEL_FILE_LENGTH = 512;
const MAX_INDEX = 65_535;
export const DEFAULT_DRIFT_SCHEDULE = '0 * * * *';
export const DEFAULT_DRIFT_WINDOW = '1h';
const MIN_DRIFT_WINDOW = '1m';
/** 7 days: CEL's duration() has no day unit. */
const MAX_DRIFT_WINDOW = '168h';
export const DEFAULT_DRIFT_ALPHA = 0.05;
export const DEFAULT_EFFECT_SIZE_MEASURE: EffectSizeMeasure = 'psi';
export const DEFAULT_EFFECT_SIZE_THRESHOLD = 0.02;
export const DEFAULT_MIN_SAMPLES = 100;

/** 31 days: the longest logged window a reference profile reads. */
export const MAX_LOGGED_REFERENCE_HOURS = 744;
const MAX_TIME_LENGTH = 40;
/** RFC 3339 with seconds, as CEL's timestamp() parses it. */
export const RFC3339_TIME = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$/;

/** s3:// or https://, without spaces or control characters. */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
export const REFERENCE_URI = /^(s3|https):\/\/[^/\x00-\x20]+(\/[^\x00-\x20]*)?$/;
/** A path that is absolute or has a '..' segment: it could leave the model folder. */
export const ESCAPING_PATH = /^\/|(^|\/)\.\.(\/|$)/;
/** A column name as the CLI's comma-separated --exclude carries it. */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const COLUMN = /^[^,\x00-\x1f]+$/;

const column = (what: string) =>
  z
    .string()
    .min(1, { error: 'must be a column name, e.g. species' })
    .max(MAX_COLUMN_NAME)
    .regex(COLUMN, { error: 'must be one column name, without commas, e.g. species' })
    .describe(what);

const loggedTime = (what: string) =>
  z
    .string()
    .max(MAX_TIME_LENGTH)
    .regex(RFC3339_TIME, { error: 'must be an RFC 3339 time with seconds, e.g. 2026-03-01T00:00:00Z' })
    .describe(what);

const validTime = (s: string) => RFC3339_TIME.test(s) && Number.isFinite(Date.parse(s));
const bothTimes = `self.start.matches(${celString(RFC3339_TIME.source)}) && self.end.matches(${celString(RFC3339_TIME.source)})`;

export const loggedReferenceSchema = withCelRules(
  z
    .strictObject({
      start: loggedTime('Start of the window (inclusive), e.g. 2026-03-01T00:00:00Z.'),
      end: loggedTime('End of the window (exclusive), e.g. 2026-03-08T00:00:00Z; the profile is made once it has passed.'),
      version: z
        .string()
        .min(1)
        .max(DNS_LABEL_MAX)
        .regex(LABEL_VALUE, { error: "must be a model version of letters, digits, '-', '_' or '.', e.g. \"3\"" })
        .optional()
        .describe('Only the requests logged for this model version; every version of the model when unset.'),
    })
    .describe(
      `A window of this model's own logged requests (and predictions), e.g. the week after launch whose traffic was accepted: the checks compare later traffic with it. At most ${MAX_LOGGED_REFERENCE_HOURS / 24} days.`,
    ),
  [
    {
      rule: `!(${bothTimes}) || timestamp(self.end) > timestamp(self.start)`,
      message: 'drift.reference.logged.end must be after logged.start: the window of logged requests cannot be empty',
      fieldPath: '.end',
      check: (l) => !(validTime(l.start) && validTime(l.end)) || Date.parse(l.end) > Date.parse(l.start),
    },
    {
      rule: `!(${bothTimes}) || timestamp(self.end) - timestamp(self.start) <= duration('${MAX_LOGGED_REFERENCE_HOURS}h')`,
      message: `drift.reference.logged must span at most ${MAX_LOGGED_REFERENCE_HOURS / 24} days (${MAX_LOGGED_REFERENCE_HOURS}h): the profile Job reads every logged file of the window`,
      fieldPath: '.end',
      check: (l) => !(validTime(l.start) && validTime(l.end)) || Date.parse(l.end) - Date.parse(l.start) <= MAX_LOGGED_REFERENCE_HOURS * 3_600_000,
    },
  ],
);

const referenceObject = z
  .strictObject({
    uri: withCelRules(
      z
        .string()
        .max(MAX_URI_LENGTH)
        .regex(REFERENCE_URI, { error: 'must be an s3:// or https:// URI of the reference sample, e.g. s3://data/iris/train.csv' })
        .optional()
        .describe('The reference sample (usually the training data): s3://bucket/key or https://host/path.'),
      [
        {
          rule: `!${hasUserinfoCel('self')}`,
          message: `drift.reference.uri ${uriCredentialsMessage('the Secret named by drift.credentials.secretRef')}`,
          check: (uri) => uri === undefined || !hasUserinfo(uri),
        },
      ],
    ),
    modelFile: withCelRules(
      z
        .string()
        .min(1)
        .max(MAX_MODEL_FILE_LENGTH)
        .optional()
        .describe(
          "Instead of uri: a file inside the served version's model folder, e.g. reference/train.csv, so each registered version carries its own training sample.",
        ),
      [
        {
          rule: `!self.matches(${celString(ESCAPING_PATH.source)})`,
          message: "drift.reference.modelFile must be a relative path inside the model folder, without a leading / or a '..' segment, e.g. reference/train.csv",
          check: (p) => p === undefined || !ESCAPING_PATH.test(p),
        },
      ],
    ),
    logged: loggedReferenceSchema.optional(),
    format: z
      .enum(DRIFT_FORMATS)
      .optional()
      .describe('csv (with a header row), jsonl or parquet; default from the file extension.'),
    target: column('The label column: not a feature; its distribution is the reference for prediction drift.').optional(),
    exclude: z
      .array(column('A column name.'))
      .max(MAX_EXCLUDED_COLUMNS, { error: `must name at most ${MAX_EXCLUDED_COLUMNS} columns` })
      .optional()
      .describe('Other reference columns that are not features, e.g. an id.'),
  })
  .describe('The data the logged traffic is compared with: exactly one of uri, modelFile or logged.');

export const driftReferenceSchema = withCelRules(referenceObject, [
  {
    rule: '(has(self.uri) ? 1 : 0) + (has(self.modelFile) ? 1 : 0) + (has(self.logged) ? 1 : 0) == 1',
    message:
      'drift.reference needs exactly one of uri (a sample in object storage), modelFile (a file inside the model folder) or logged (a window of logged requests)',
    check: (r) => [r.uri, r.modelFile, r.logged].filter((x) => x !== undefined).length === 1,
  },
  {
    rule: '!has(self.logged) || (!has(self.format) && !has(self.target) && !has(self.exclude))',
    message:
      "drift.reference.format, target and exclude describe a sample file, not logged requests: remove them; a logged reference profiles the requests' inputs and the model's predictions",
    check: (r) => r.logged === undefined || (r.format === undefined && r.target === undefined && r.exclude === undefined),
  },
]);

export const driftFeatureSchema = z
  .strictObject({
    name: column('The reference column, and the name reported in status.'),
    input: z
      .string()
      .min(1)
      .max(MAX_COLUMN_NAME)
      .optional()
      .describe("The request's input (Open Inference Protocol v2 input name, or v1 instance key); default: the request's only input."),
    index: int32()
      .min(0, { error: 'must be 0 or more: the position of the feature in the input row' })
      .max(MAX_INDEX)
      .optional()
      .describe('Position of the feature in a row of that input; unset when the input is this feature alone (one value per row).'),
    type: z
      .enum(FEATURE_TYPES)
      .optional()
      .describe('numeric or categorical; default numeric when the reference column holds only numbers.'),
  })
  .describe('One feature: where its value is in a request, and which reference column it is compared with.');

const effectSizeSchema = withCelRules(
  z
    .strictObject({
      measure: z
        .enum(EFFECT_SIZE_MEASURES)
        .default(DEFAULT_EFFECT_SIZE_MEASURE)
        .describe('psi (population stability index, default) or jensenShannon (Jensen-Shannon distance, from 0 to 1).'),
      threshold: z
        .number()
        .max(10, { error: 'must be at most 10' })
        .default(DEFAULT_EFFECT_SIZE_THRESHOLD)
        .describe(`A feature drifts only when its effect size is at least this (default ${DEFAULT_EFFECT_SIZE_THRESHOLD}).`),
    })
    .describe('How large a shift must be to count: a significant but tiny shift on much traffic is not drift.'),
  [
    {
      rule: 'self.threshold > 0.0',
      message: 'drift.effectSize.threshold must be above 0, e.g. 0.02 for psi: at 0 any significant shift, however tiny, would be drift',
      fieldPath: '.threshold',
      check: (e) => e.threshold > 0,
    },
    {
      rule: "self.measure != 'jensenShannon' || self.threshold <= 1.0",
      message: 'drift.effectSize.threshold must be at most 1 for jensenShannon: the Jensen-Shannon distance is between 0 and 1, so no feature could drift',
      fieldPath: '.threshold',
      check: (e) => e.measure !== 'jensenShannon' || e.threshold <= 1,
    },
  ],
);

const driftObject = z
  .strictObject({
    reference: driftReferenceSchema,
    features: listMap(driftFeatureSchema, 'name', MAX_DRIFT_FEATURES)
      .optional()
      .describe(
        `The features compared (at most ${MAX_DRIFT_FEATURES}, names unique). Unset: one input of width k maps to the k reference columns in order, or several one-value inputs map to the columns of the same name.`,
      ),
    predictions: z
      .boolean()
      .optional()
      .describe("Also compare the model's predictions with reference.target's distribution; default true when reference.target is set."),
    schedule: withCelRules(
      z.string().min(1).max(MAX_CRON_LENGTH).describe('When checks run: cron with 5 fields, e.g. "0 * * * *" (hourly, the default), or @hourly, @daily...'),
      [{ ...cronScheduleRule, message: cronScheduleRule.message.replace('batch.schedule', 'drift.schedule') }],
    ).default(DEFAULT_DRIFT_SCHEDULE),
    timeZone: scheduleTimeZone('IANA time zone of the schedule, e.g. Europe/Berlin; UTC when unset.'),
    window: boundedDuration(
      'drift.window',
      MIN_DRIFT_WINDOW,
      MAX_DRIFT_WINDOW,
      'each check reads the logged requests of that span, so a longer one reads more files per check',
      `The latest logged traffic each check judges (default ${DEFAULT_DRIFT_WINDOW}).`,
    ).default(DEFAULT_DRIFT_WINDOW),
    alpha: withCelRules(
      z.number().describe('False-alarm rate per check, after the Benjamini-Hochberg correction over the features (default 0.05).'),
      [
        {
          rule: 'self > 0.0 && self < 1.0',
          message: 'drift.alpha must be between 0 and 1, both excluded, e.g. 0.05: it is the accepted chance of a false alarm per check',
          check: (a) => a > 0 && a < 1,
        },
      ],
    ).default(DEFAULT_DRIFT_ALPHA),
    effectSize: effectSizeSchema.optional(),
    minSamples: int32()
      .min(10, { error: 'must be at least 10: fewer values cannot show a shift' })
      .max(1_000_000, { error: 'must be at most 1000000' })
      .default(DEFAULT_MIN_SAMPLES)
      .describe(`Logged values a feature needs in the window for a verdict; fewer give Inconclusive (default ${DEFAULT_MIN_SAMPLES}).`),
    credentials: z
      .strictObject({
        secretRef: z
          .strictObject({ name: objectName('Secret').describe('Name of a Secret in the same namespace.') })
          .describe('Its keys become environment variables of the drift Jobs (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, S3_ENDPOINT...).'),
      })
      .optional()
      .describe('Credentials to read the reference and the logs and write profiles and reports; default logging.credentials, then spec.model.credentials.'),
  })
  .describe(
    'Drift detection (needs logging): a check Job on schedule compares the logged requests (and predictions) of the stable version with a reference (a sample, or an accepted window of logged traffic); the verdict is in status.drift and the DriftDetected condition.',
  );

export const driftSpecSchema = withCelRules(driftObject, [
  {
    rule: '!has(self.predictions) || !self.predictions || has(self.reference.target) || has(self.reference.logged)',
    message:
      'drift.predictions needs drift.reference.target (or a logged reference): the predictions are compared with the distribution of that label column (or with the predictions logged in the window)',
    fieldPath: '.predictions',
    check: (d) => d.predictions !== true || d.reference.target !== undefined || d.reference.logged !== undefined,
  },
  {
    rule: '!has(self.features) || !has(self.reference.target) || self.features.all(f, f.name != self.reference.target)',
    message: 'drift.features cannot include reference.target: the label column is compared through predictions, not as a feature',
    fieldPath: '.features',
    check: (d) => d.features === undefined || d.reference.target === undefined || d.features.every((f) => f.name !== d.reference.target),
  },
]);

export type DriftSpec = z.output<typeof driftSpecSchema>;
export type DriftReference = z.output<typeof driftReferenceSchema>;
export type DriftFeature = z.output<typeof driftFeatureSchema>;
export type LoggedReference = z.output<typeof loggedReferenceSchema>;

/** Whether a check also judges predictions: as set, else when the reference has a target or is logged traffic. */
export function judgesPredictions(drift: DriftSpec): boolean {
  return drift.predictions ?? (drift.reference.target !== undefined || drift.reference.logged !== undefined);
}
