// spec.model: what to serve and where to fetch it from.
import { z } from 'zod';
import { withCelRules } from './cel-rule.ts';
import { objectName } from './common.ts';
import { DNS_LABEL_MAX, MAX_URI_LENGTH } from './limits.ts';
import { LABEL_VALUE, MODEL_URI } from './patterns.ts';
import { pvcPathRule } from './pvc-path-rule.ts';
import { MODEL_FORMATS } from './runtime-presets.ts';

const labelSafe = (what: string) =>
  z
    .string()
    .min(1)
    .max(DNS_LABEL_MAX)
    .regex(LABEL_VALUE, {
      error: `must be a ${what} of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
    });

export const modelCredentialsSchema = z
  .strictObject({
    secretRef: z
      .strictObject({ name: objectName('Secret').describe('Name of a Secret in the same namespace.') })
      .describe('Its keys become environment variables of the model fetcher (e.g. AWS_ACCESS_KEY_ID).'),
  })
  .describe('Credentials to fetch the model; for oci:// the Secret is an image pull secret.');

export const modelSpecSchema = z
  .strictObject({
    name: labelSafe('name').describe('Model name, as the model server exposes it; up to 63 characters.'),
    version: labelSafe('version').describe('Model version to serve; a string, so quote numbers: "7".'),
    uri: withCelRules(
      z
        .string()
        .max(MAX_URI_LENGTH)
        .regex(MODEL_URI, {
          error:
            'must be a model location: s3://bucket/path, gs://bucket/path, https://host/path, pvc://claim/path or oci://registry/repository:tag',
        })
        .describe('Where the model is: s3://, gs://, https://, pvc://claim/path or oci://.'),
      [pvcPathRule],
    ),
    format: z
      .enum(MODEL_FORMATS)
      .describe('Model format; it must be one the runtime preset serves.'),
    credentials: modelCredentialsSchema.optional(),
  })
  .describe('The model to serve.');

export type ModelSpec = z.output<typeof modelSpecSchema>;
