// A toleration, so model servers can run on tainted (for example GPU) nodes, with the rules of
// Kubernetes' ValidateTolerations: the pods would be refused otherwise.
import { z } from 'zod';
import { withCelRules } from './cel-rule.ts';
import { int64 } from './common.ts';
import { LABEL_KEY_HINT, LABEL_VALUE_HINT, isLabelKey, isLabelKeyCel, isLabelValue, isLabelValueCel } from './label-syntax.ts';
import { DNS_LABEL_MAX } from './limits.ts';

export const tolerationSchema = withCelRules(
  z.strictObject({
    key: z.string().max(316).optional().describe('Taint key; empty with operator Exists matches every taint.'),
    operator: z.enum(['Exists', 'Equal']).optional().describe('Exists or Equal (the default).'),
    value: z.string().max(DNS_LABEL_MAX).optional().describe('Taint value for operator Equal.'),
    effect: z
      .enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])
      .optional()
      .describe('Taint effect to match; empty matches all.'),
    tolerationSeconds: int64().optional().describe('How long a NoExecute taint is tolerated.'),
  }),
  [
    {
      rule: "!has(self.operator) || self.operator != 'Exists' || !has(self.value) || self.value == ''",
      message: 'value must be empty when operator is Exists',
      fieldPath: '.value',
      check: (t) => t.operator !== 'Exists' || t.value === undefined || t.value === '',
    },
    {
      rule: `!has(self.key) || self.key == '' || ${isLabelKeyCel('self.key')}`,
      message: `key must be ${LABEL_KEY_HINT}`,
      fieldPath: '.key',
      check: (t) => t.key === undefined || t.key === '' || isLabelKey(t.key),
    },
    {
      // No operator means Equal, and Equal compares against a key.
      rule: "(has(self.key) && self.key != '') || (has(self.operator) && self.operator == 'Exists')",
      message: 'operator must be Exists when key is empty (a toleration without a key matches every taint); set key, or operator: Exists',
      fieldPath: '.operator',
      check: (t) => (t.key !== undefined && t.key !== '') || t.operator === 'Exists',
    },
    {
      rule: "!has(self.tolerationSeconds) || (has(self.effect) && self.effect == 'NoExecute')",
      message: 'effect must be NoExecute when tolerationSeconds is set: only NoExecute taints evict running pods',
      fieldPath: '.effect',
      check: (t) => t.tolerationSeconds === undefined || t.effect === 'NoExecute',
    },
    {
      rule: `(has(self.operator) && self.operator == 'Exists') || !has(self.value) || ${isLabelValueCel('self.value')}`,
      message: `value must be ${LABEL_VALUE_HINT}`,
      fieldPath: '.value',
      check: (t) => t.operator === 'Exists' || t.value === undefined || isLabelValue(t.value),
    },
  ],
);

export type Toleration = z.output<typeof tolerationSchema>;
