// spec.monitoring: what happens after a model serves. logging and drift are defined; retraining is
// planned (DESIGN.md section 7) and reserved by name: kept as-is, so manifests written for a newer
// operator still apply to this CRD. Any other field is refused, so a misspelt `loging` is an error
// rather than a silently unmonitored model.
import { z } from 'zod';
import { withCelRules } from './cel-rule.ts';
import { reservedObject } from './common.ts';
import { driftSpecSchema } from './drift-spec.ts';
import { loggingSpecSchema } from './logging-spec.ts';

export const monitoringSpecSchema = withCelRules(
  z
    .strictObject({
      logging: loggingSpecSchema.optional(),
      drift: driftSpecSchema.optional(),
      retraining: reservedObject('Retraining triggers; reserved for a later release, kept as-is.').optional(),
    })
    .describe('Monitoring of the served model: request logging and drift detection; retraining triggers are reserved.'),
  [
    {
      rule: '!has(self.drift) || has(self.logging)',
      message: 'monitoring.drift needs monitoring.logging: drift checks judge the logged requests, so set monitoring.logging.uri',
      fieldPath: '.logging',
      reason: 'FieldValueRequired',
      check: (m) => m.drift === undefined || m.logging !== undefined,
    },
  ],
);

export type MonitoringSpec = z.output<typeof monitoringSpecSchema>;
