// Fields later releases define: batch and monitoring. Kept as-is until then, so manifests
// written for a newer operator are not rejected by an older CRD.
import { z } from 'zod';
import { reservedObject } from './common.ts';

export const batchSpecSchema = z
  .looseObject({
    schedule: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('Cron schedule of batch scoring runs, e.g. "0 2 * * *"; required in batch mode.'),
  })
  .meta({ 'x-kubernetes-preserve-unknown-fields': true, description: 'Batch scoring (mode: batch); partly reserved.' });

export const monitoringSpecSchema = reservedObject('Metrics, drift detection and retraining triggers; reserved.');
