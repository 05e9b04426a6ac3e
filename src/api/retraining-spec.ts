// spec.monitoring.retraining: when the operator asks for a new model (docs/retraining.md). A trigger is
// decided from drift checks, a cron schedule or labelled accuracy, at most once per cooldown, and sent to
// exactly one target: a Job in the namespace, an Airflow DAG, or a platform-configured webhook. The
// addresses and credentials of Airflow and webhooks are the platform's (--retraining-targets); the author
// names them.
import { z } from 'zod';
import { boundedDuration } from './bounded-duration.ts';
import { withCelRules } from './cel-rule.ts';
import { userJobFields } from './user-job-fields.ts';
import { int32 } from './common.ts';
import { cronScheduleRule, scheduleTimeZone } from './cron-schedule.ts';
import { cpuMemoryResourcesSchema } from './runner-resources.ts';

export const DEFAULT_RETRAINING_COOLDOWN = '24h';
const MIN_COOLDOWN = '1m';
/** 90 days. */
const MAX_COOLDOWN = '2160h';
export const DEFAULT_RETRAINING_JOB_TIMEOUT_SECONDS = 86_400;
/** Serialized size of airflow.conf at most (the DAG run's conf is a database column). */
export const MAX_AIRFLOW_CONF_BYTES = 8192;
/** Top-level keys of airflow.conf at most: the CRD cannot measure a free object's size, so it bounds the keys. */
export const MAX_AIRFLOW_CONF_KEYS = 64;
const MAX_CRON_LENGTH = 100;
/** Airflow's own DAG id rule (KEY_REGEX) and length. */
const DAG_ID = /^[a-zA-Z0-9_.-]+$/;
const MAX_DAG_ID = 250;
const TARGET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const targetName = (what: string) =>
  z
    .string()
    .min(1)
    .max(63)
    .regex(TARGET_NAME, { error: "must be a name of lower-case letters, digits and '-'" })
    .describe(what);

const triggersSchema = withCelRules(
  z
    .strictObject({
      drift: z.boolean().optional().describe('Trigger when a drift check (spec.monitoring.drift) finds Drift.'),
      schedule: withCelRules(
        z
          .string()
          .min(1)
          .max(MAX_CRON_LENGTH)
          .describe('Trigger on a cron schedule of 5 fields, e.g. "0 3 * * 0" (Sundays 03:00), or @daily, @weekly...'),
        [{ ...cronScheduleRule, message: cronScheduleRule.message.replace('batch.schedule', 'retraining.on.schedule') }],
      ).optional(),
      timeZone: scheduleTimeZone('IANA time zone of the schedule; UTC when unset.'),
      accuracyBelow: withCelRules(
        z.number().describe('Trigger when the labelled accuracy of the stable version falls below this fraction, e.g. 0.9.'),
        [
          {
            rule: 'self > 0.0 && self <= 1.0',
            message: 'accuracyBelow must be a fraction above 0 and at most 1, e.g. 0.9: an accuracy is never below 0',
            check: (v) => v > 0 && v <= 1,
          },
        ],
      ).optional(),
    })
    .describe('What triggers retraining; at least one.'),
  [
    {
      rule: '(has(self.drift) && self.drift) || has(self.schedule) || has(self.accuracyBelow)',
      message: 'retraining.on needs at least one trigger: drift: true, schedule or accuracyBelow; otherwise nothing would ever retrain',
      check: (t) => t.drift === true || t.schedule !== undefined || t.accuracyBelow !== undefined,
    },
    {
      rule: '!has(self.timeZone) || has(self.schedule)',
      message: 'timeZone goes with schedule only',
      fieldPath: '.timeZone',
      check: (t) => t.timeZone === undefined || t.schedule !== undefined,
    },
  ],
);

const cooldown = boundedDuration(
  'cooldown',
  MIN_COOLDOWN,
  MAX_COOLDOWN,
  'retraining is costly, and drift persists until a new model serves (2160h is 90 days)',
  `At most one trigger per cooldown (default ${DEFAULT_RETRAINING_COOLDOWN}), from ${MIN_COOLDOWN} to ${MAX_COOLDOWN}.`,
);

// The shape of the validation Job (analysis-spec.ts), with resources.
const retrainingJobSchema = z
  .strictObject({
    ...userJobFields(
      'Image that retrains the model.',
      'Environment; MODELSHIP_TRIGGER (the trigger as JSON: id, reason, model, version, evidence) is always set.',
    ),
    resources: cpuMemoryResourcesSchema('CPU and memory of the retraining container.').optional(),
    timeoutSeconds: int32()
      .min(1, { error: 'must be at least 1' })
      .max(604_800, { error: 'must be at most 604800 (7 days)' })
      .default(DEFAULT_RETRAINING_JOB_TIMEOUT_SECONDS)
      .describe('The Job fails when it has not finished by then (default 86400, a day).'),
  })
  .describe("A Job in the ModelDeployment's namespace, one per trigger, named from the trigger id.");

// The API server can see neither the keys nor the size of a free object (unknown fields are out of
// CEL's reach): it bounds the keys, and the operator's parse refuses the rest, with the reason in
// status before anything is sent.
const confSchema = z
  .looseObject({})
  .refine((c) => Object.keys(c).length <= MAX_AIRFLOW_CONF_KEYS, { error: `must have at most ${MAX_AIRFLOW_CONF_KEYS} keys` })
  .refine((c) => Buffer.byteLength(JSON.stringify(c)) <= MAX_AIRFLOW_CONF_BYTES, { error: `must be at most ${MAX_AIRFLOW_CONF_BYTES} bytes as JSON` })
  .refine((c) => !('modelship' in c), { error: 'cannot have the key modelship: the operator puts the evidence of the trigger there' })
  .meta({
    'x-kubernetes-preserve-unknown-fields': true,
    maxProperties: MAX_AIRFLOW_CONF_KEYS,
    description: `Free JSON object passed as the DAG run's conf (at most ${MAX_AIRFLOW_CONF_BYTES} bytes as JSON); the key modelship is added with the evidence.`,
  });

const airflowSchema = z
  .strictObject({
    connection: targetName("An Airflow the platform configured (--retraining-targets); default: the platform's default Airflow.").optional(),
    dagId: z
      .string()
      .min(1)
      .max(MAX_DAG_ID)
      .regex(DAG_ID, { error: "must be an Airflow DAG id: letters, digits, '_', '.' and '-'" })
      .describe('The DAG triggered; one DAG run per trigger, its dag_run_id the trigger id.'),
    conf: confSchema.optional(),
  })
  .describe('Triggers a DAG run through the Airflow 3 REST API.');

const webhookSchema = z
  .strictObject({
    endpoint: targetName('A webhook the platform configured (--retraining-targets): its URL and signing key are the platform\'s.'),
  })
  .describe('POSTs the evidence as JSON, signed with HMAC-SHA256 (docs/retraining.md says how to verify it).');

export const retrainingSpecSchema = withCelRules(
  z
    .strictObject({
      on: triggersSchema,
      cooldown: cooldown.default(DEFAULT_RETRAINING_COOLDOWN),
      job: retrainingJobSchema.optional(),
      airflow: airflowSchema.optional(),
      webhook: webhookSchema.optional(),
    })
    .describe('Retraining triggers: when drift, a schedule or low accuracy asks for a new model, and where the request goes.'),
  [
    {
      rule: '(has(self.job) ? 1 : 0) + (has(self.airflow) ? 1 : 0) + (has(self.webhook) ? 1 : 0) == 1',
      message: 'retraining sets exactly one target: job, airflow or webhook',
      check: (r) => [r.job, r.airflow, r.webhook].filter((t) => t !== undefined).length === 1,
    },
  ],
);

export type RetrainingSpec = z.output<typeof retrainingSpecSchema>;
export type RetrainingJobSpec = z.output<typeof retrainingJobSchema>;
export type RetrainingAirflowSpec = z.output<typeof airflowSchema>;
export type RetrainingWebhookSpec = z.output<typeof webhookSchema>;
