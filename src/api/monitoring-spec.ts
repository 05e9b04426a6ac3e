// spec.monitoring: what happens after a model serves. logging is defined; drift and retraining are
// planned (DESIGN.md section 7) and reserved by name: kept as-is, so manifests written for a newer
// operator still apply to this CRD. Any other field is refused, so a misspelt `loging` is an error
// rather than a silently unmonitored model.
import { z } from 'zod';
import { reservedObject } from './common.ts';
import { loggingSpecSchema } from './logging-spec.ts';

export const monitoringSpecSchema = z
  .strictObject({
    logging: loggingSpecSchema.optional(),
    drift: reservedObject('Drift detection; reserved for a later release, kept as-is.').optional(),
    retraining: reservedObject('Retraining triggers; reserved for a later release, kept as-is.').optional(),
  })
  .describe('Monitoring of the served model: request logging now; drift detection and retraining triggers are reserved.');

export type MonitoringSpec = z.output<typeof monitoringSpecSchema>;
