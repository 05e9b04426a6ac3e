// spec.monitoring: what happens after a model serves: request logging, drift checks and retraining
// triggers. Any other field is refused, so a misspelt `loging` is an error rather than a silently
// unmonitored model.
import { z } from 'zod';
import { withCelRules } from './cel-rule.ts';
import { driftSpecSchema } from './drift-spec.ts';
import { loggingSpecSchema } from './logging-spec.ts';
import { retrainingSpecSchema } from './retraining-spec.ts';

export const monitoringSpecSchema = withCelRules(
  z
    .strictObject({
      logging: loggingSpecSchema.optional(),
      drift: driftSpecSchema.optional(),
      retraining: retrainingSpecSchema.optional(),
    })
    .describe('Monitoring of the served model: request logging, drift checks and retraining triggers.'),
  [
    {
      rule: '!has(self.drift) || has(self.logging)',
      message: 'monitoring.drift needs monitoring.logging: drift checks judge the logged requests, so set monitoring.logging.uri',
      fieldPath: '.logging',
      reason: 'FieldValueRequired',
      check: (m) => m.drift === undefined || m.logging !== undefined,
    },
    {
      rule: '!has(self.retraining) || !has(self.retraining.on) || !has(self.retraining.on.drift) || !self.retraining.on.drift || has(self.drift)',
      message: 'monitoring.retraining.on.drift needs monitoring.drift: a retraining on drift waits for a drift check, so set monitoring.drift',
      fieldPath: '.drift',
      reason: 'FieldValueRequired',
      check: (m) => m.retraining?.on.drift !== true || m.drift !== undefined,
    },
  ],
);

export type MonitoringSpec = z.output<typeof monitoringSpecSchema>;
