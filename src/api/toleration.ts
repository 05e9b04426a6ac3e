// A toleration, so model servers can run on tainted (for example GPU) nodes.
import { z } from 'zod';
import { withCelRules } from './cel-rule.ts';
import { int64 } from './common.ts';
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
  ],
);

export type Toleration = z.output<typeof tolerationSchema>;
