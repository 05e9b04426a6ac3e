// spec.model: what to serve and where to fetch it from.
import { z } from 'zod';
import { withCelRules, type CelRule } from './cel-rule.ts';
import { objectName } from './common.ts';
import { DNS_LABEL_MAX, MAX_URI_LENGTH } from './limits.ts';
import { DNS1123_LABEL, LABEL_VALUE, MODEL_URI } from './patterns.ts';
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

/** spec.model.sha256: checked by modelship's fetcher, which reads s3:// and https:// only. */
const sha256Rule: CelRule<{ uri: string; sha256?: string | undefined }> = {
  rule: "!has(self.sha256) || self.uri.startsWith('s3://') || self.uri.startsWith('https://')",
  message: 'sha256 can be checked for s3:// and https:// models only: remove it, or fetch the model from s3:// or https://',
  fieldPath: '.sha256',
  check: (m) => m.sha256 === undefined || m.uri.startsWith('s3://') || m.uri.startsWith('https://'),
};

/** spec.model.registry: only a models:/ URI is looked up in a registry. */
const registryRule: CelRule<{ uri: string; registry?: string | undefined }> = {
  rule: "!has(self.registry) || self.uri.startsWith('models:/')",
  message: 'registry names the model registry of a models:/ URI: remove it, or use models:/<name>@<alias> or models:/<name>/<version>',
  fieldPath: '.registry',
  check: (m) => m.registry === undefined || m.uri.startsWith('models:/'),
};

export const modelSpecSchema = withCelRules(z
  .strictObject({
    name: labelSafe('name').describe('Model name, as the model server exposes it; up to 63 characters.'),
    version: labelSafe('version').describe('Model version to serve; a string, so quote numbers: "7". For a models:/ URI, the version the registry resolves to is served instead (status.model).'),
    uri: withCelRules(
      z
        .string()
        .max(MAX_URI_LENGTH)
        .regex(MODEL_URI, {
          error:
            'must be a model location: s3://bucket/path, gs://bucket/path, https://host/path, pvc://claim/path, oci://registry/repository:tag, or a registered model models:/name@alias or models:/name/version',
        })
        .describe('Where the model is: s3://, gs://, https://, pvc://claim/path, oci://, or models:/<name>@<alias> or models:/<name>/<version> in a model registry the platform configured (spec.model.registry).'),
      [pvcPathRule],
    ),
    format: z
      .enum(MODEL_FORMATS)
      .describe('Model format; it must be one the runtime preset serves.'),
    registry: z
      .string()
      .max(DNS_LABEL_MAX)
      .regex(DNS1123_LABEL, { error: 'must be a registry name of lower-case letters, digits and -' })
      .optional()
      .describe("For a models:/ URI: the name of a model registry the platform configured (--model-registries); the platform's default when unset."),
    credentials: modelCredentialsSchema.optional(),
    sha256: z
      .string()
      .length(64, { error: 'must be 64 lower-case hexadecimal digits' })
      .regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lower-case hexadecimal digits' })
      .optional()
      .describe('sha256 of the model object (one file or archive at an s3:// or https:// URI); the fetcher refuses a model that differs (ChecksumMismatch).'),
  })
  .describe('The model to serve.'), [sha256Rule, registryRule]);

export type ModelSpec = z.output<typeof modelSpecSchema>;
