// spec.monitoring: what happens after a model serves. logging and retraining are defined; drift is
// planned (DESIGN.md section 7) and reserved by name: kept as-is, so manifests written for a newer
// operator still apply to this CRD. Any other field is refused, so a misspelt `loging` is an error
// rather than a silently unmonitored model.
import { z } from 'zod';
import { reservedObject } from './common.ts';
import { loggingSpecSchema } from './logging-spec.ts';
import { retrainingSpecSchema } from './retraining-spec.ts';

export const monitoringSpecSchema = z
  .strictObject({
    logging: loggingSpecSchema.optional(),
    drift: reservedObject('Drift detection; reserved for a later release, kept as-is.').optional(),
    retraining: retrainingSpecSchema.optional(),
  })
  .describe('Monitoring of the served model: request logging and retraining triggers now; drift detection is reserved.');

export type MonitoringSpec = z.output<typeof monitoringSpecSchema>;
