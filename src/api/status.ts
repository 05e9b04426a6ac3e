// status: what the operator observed. Written only by the operator, through the status subresource.
import { z } from 'zod';
import { int32, int64, listMap, reservedObject } from './common.ts';
import { conditionSchema } from './condition.ts';
import { MAX_CONDITIONS, MAX_STATUS_ITEMS, MAX_URI_LENGTH } from './limits.ts';

export const modelDeploymentStatusSchema = z
  .object({
    observedGeneration: int64().min(0).optional().describe('metadata.generation last acted on in full.'),
    conditions: listMap(conditionSchema, 'type', MAX_CONDITIONS)
      .optional()
      .describe('Ready, Reconciling, Stalled, Serving and others.'),
    url: z.string().max(MAX_URI_LENGTH).optional().describe('Stable in-cluster URL of the model.'),
    replicas: int32().min(0).optional().describe('Model server pods.'),
    readyReplicas: int32().min(0).optional().describe('Model server pods ready to serve.'),
    trafficSummary: z.string().max(256).optional().describe('Traffic split in one line, e.g. "stable=90 canary=10".'),
    stable: reservedObject('The variant serving the accepted model version.').optional(),
    canary: reservedObject('The variant under evaluation, during a rollout.').optional(),
    traffic: z
      .array(reservedObject('Weight of one variant.'))
      .max(MAX_STATUS_ITEMS)
      .optional()
      .describe('Traffic per variant.'),
    history: z
      .array(reservedObject('One past rollout.'))
      .max(MAX_STATUS_ITEMS)
      .optional()
      .describe('Past rollouts, newest first.'),
  })
  .describe('Observed state, written by the operator.');

export type ModelDeploymentStatus = z.output<typeof modelDeploymentStatusSchema>;
