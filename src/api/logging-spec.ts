// spec.monitoring.logging: the inference agent, a container of modelship's image in front of the model
// server, writes a sample of the request/response pairs it proxies to object storage and joins ground
// truth labels to them (README "Request logging"). The ports the agent takes in the pod are fixed, so
// the spec refuses runtime ports that would clash with them (model-deployment-spec.ts).
import { z } from 'zod';
import { boundedDuration } from './bounded-duration.ts';
import { withCelRules } from './cel-rule.ts';
import { objectName } from './common.ts';
import { MAX_URI_LENGTH } from './limits.ts';
import { cpuMemoryResourcesSchema } from './runner-resources.ts';
import { hasUserinfo, hasUserinfoCel, uriCredentialsMessage } from './uri-credentials.ts';

/** The port the model server listens on when the agent takes the serving port. */
export const AGENT_UPSTREAM_PORT = 8079;
/** The agent's metrics port: its own series, then the model server's. */
export const AGENT_METRICS_PORT = 9464;
/** Ports of the pod the agent reserves: spec.runtime.ports cannot use them while logging is set. */
export const AGENT_PORTS: readonly number[] = [AGENT_UPSTREAM_PORT, AGENT_METRICS_PORT];

export const MAX_REDACT_FIELDS = 32;
const MAX_FIELD_NAME = 128;
export const DEFAULT_SAMPLE_RATE = 1;
export const DEFAULT_FLUSH_INTERVAL = '10s';
const MIN_FLUSH_INTERVAL = '1s';
const MAX_FLUSH_INTERVAL = '1h';
/** 7 days: CEL's duration() and the spec's durations have no day unit. */
export const DEFAULT_LABEL_LOOKBACK = '168h';
const MIN_LABEL_LOOKBACK = '1m';
/** 90 days: each label older than the agent's memory is looked up in the files of every hour back to it. */
const MAX_LABEL_LOOKBACK = '2160h';

/**
 * s3://bucket[/prefix]: the only object store the agent writes to for now. No control characters or
 * spaces (written out rather than \s, which the CRD would spell as a long list of code points).
 */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
export const LOG_URI = /^s3:\/\/[^/\x00-\x20]+(\/[^\x00-\x20]*)?$/;
/** A JSON field name as the agent's --redact list carries it: no comma, no control character. */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const REDACT_FIELD = /^[^,\x00-\x1f]+$/;

const logUri = withCelRules(
  z
    .string()
    .max(MAX_URI_LENGTH)
    .regex(LOG_URI, { error: 'must be s3://bucket/prefix: request logs are written to S3-compatible object storage only for now' })
    .describe(
      'Where the logged requests go: s3://bucket/prefix. Files land under <uri>/namespace=<ns>/model=<name>/version=<version>/date=<YYYY-MM-DD>/hour=<HH>/ as JSON lines.',
    ),
  [
    {
      rule: `!${hasUserinfoCel('self')}`,
      message: uriCredentialsMessage('the Secret named by logging.credentials.secretRef (or spec.model.credentials)'),
      check: (uri) => !hasUserinfo(uri),
    },
  ],
);

export const loggingCredentialsSchema = z
  .strictObject({
    secretRef: z
      .strictObject({ name: objectName('Secret').describe('Name of a Secret in the same namespace.') })
      .describe(
        'Its keys become environment variables of the agent, as for the model fetcher (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, S3_ENDPOINT...).',
      ),
  })
  .describe("Credentials to write the logs; spec.model.credentials when unset (except for an oci:// model, whose Secret is an image pull secret).");

export const loggingSpecSchema = z
  .strictObject({
    uri: logUri,
    sampleRate: z
      .number()
      .min(0, { error: 'must be a fraction from 0 to 1: 1 logs every request, 0.1 one request in ten' })
      .max(1, { error: 'must be a fraction from 0 to 1: 1 logs every request, 0.1 one request in ten' })
      .default(DEFAULT_SAMPLE_RATE)
      .describe(
        'Fraction of requests logged, from 0 to 1 (default 1: every request). Ground truth labels can only be joined to logged requests, so keep 1 to measure accuracy on all traffic.',
      ),
    redact: z
      .array(
        z
          .string()
          .min(1, { error: 'must be a JSON field name, e.g. ssn' })
          .max(MAX_FIELD_NAME)
          .regex(REDACT_FIELD, { error: 'must be one JSON field name, without commas, e.g. ssn or card_number' })
          .describe('A JSON field name, e.g. ssn.'),
      )
      .max(MAX_REDACT_FIELDS, { error: `must name at most ${MAX_REDACT_FIELDS} fields` })
      .optional()
      .describe(
        `JSON fields never written to the logs (at most ${MAX_REDACT_FIELDS}): removed at any depth of the request and response, and for Open Inference Protocol (v2) bodies, the data of the inputs and outputs of that name is replaced by "[redacted]".`,
      ),
    credentials: loggingCredentialsSchema.optional(),
    flushInterval: boundedDuration(
      'flushInterval',
      MIN_FLUSH_INTERVAL,
      MAX_FLUSH_INTERVAL,
      'each flush writes one file per pod, so a shorter interval makes many small files, and a longer one keeps requests in memory (and away from readers) longer',
      `How often buffered requests are written to a new file (default ${DEFAULT_FLUSH_INTERVAL}); a full buffer is written sooner.`,
    ).default(DEFAULT_FLUSH_INTERVAL),
    labelLookback: boundedDuration(
      'labelLookback',
      MIN_LABEL_LOOKBACK,
      MAX_LABEL_LOOKBACK,
      'a label is looked up in the logged files of every hour back that far, so it bounds the work each late label costs',
      `How far back a ground truth label may find its logged request (default ${DEFAULT_LABEL_LOOKBACK}, 7 days); labels of older requests are counted as unmatched.`,
    ).default(DEFAULT_LABEL_LOOKBACK),
    resources: cpuMemoryResourcesSchema(
      'CPU and memory of the agent container (the model server has spec.runtime.resources); requests cpu 50m and memory 64Mi, limits memory 256Mi when unset.',
    ).optional(),
  })
  .describe(
    'Request logging (realtime mode only): an agent container in each model server pod takes the serving port, proxies every request to the model server, writes a sample of requests and responses to uri, serves per-model metrics and accepts ground truth labels at POST /modelship/v1/feedback.',
  );

export type LoggingSpec = z.output<typeof loggingSpecSchema>;

/** CEL: none of spec.runtime.ports is one of the agent's ports. */
export const agentPortsFreeCel = (ports: string): string =>
  ['http', 'grpc', 'metrics']
    .map((p) => `!(has(${ports}.${p}) && ${ports}.${p} in [${AGENT_PORTS.join(', ')}])`)
    .join(' && ');
