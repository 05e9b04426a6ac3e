// An environment variable for the model server: a literal value or a key of a Secret or ConfigMap.
import { z } from 'zod';
import { withCelRules } from './cel-rule.ts';
import { objectName } from './common.ts';
import { MAX_ENV_VALUE, MAX_SHORT_STRING } from './limits.ts';
import { ENV_VAR_NAME } from './patterns.ts';

const keySelector = (what: string) =>
  z.strictObject({
    name: objectName(what).describe(`Name of the ${what}.`),
    key: z
      .string()
      .min(1)
      .max(MAX_SHORT_STRING)
      // As Kubernetes' IsConfigMapKey: not '.', and not starting with '..'.
      .regex(/^\.?[-_a-zA-Z0-9][-._a-zA-Z0-9]*$/, {
        error: "must be a key of letters, digits, '-', '_' or '.', other than '.' and not starting with '..'",
      })
      .describe(`Key in the ${what}.`),
    optional: z.boolean().optional().describe(`Start even when the ${what} or key is missing.`),
  });

const envVarSourceSchema = withCelRules(
  z.strictObject({
    secretKeyRef: keySelector('Secret').optional(),
    configMapKeyRef: keySelector('ConfigMap').optional(),
  }),
  [
    {
      rule: 'has(self.secretKeyRef) != has(self.configMapKeyRef)',
      message: 'set exactly one of secretKeyRef or configMapKeyRef',
      check: (s) => (s.secretKeyRef !== undefined) !== (s.configMapKeyRef !== undefined),
    },
  ],
);

export const envVarSchema = withCelRules(
  z.strictObject({
    name: z
      .string()
      .min(1)
      .max(MAX_SHORT_STRING)
      .regex(ENV_VAR_NAME, { error: "must be a variable name of letters, digits, '_', '-' or '.', not starting with a digit" })
      .describe('Variable name.'),
    value: z.string().max(MAX_ENV_VALUE).optional().describe('Literal value.'),
    valueFrom: envVarSourceSchema.optional().describe('Take the value from a Secret or ConfigMap key.'),
  }),
  [
    {
      rule: '!(has(self.value) && has(self.valueFrom))',
      message: 'set either value or valueFrom, not both',
      check: (e) => !(e.value !== undefined && e.valueFrom !== undefined),
    },
  ],
);

export type EnvVar = z.output<typeof envVarSchema>;
