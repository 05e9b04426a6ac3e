// status: what the operator observed. Written only by the operator, through the status subresource.
import { z } from 'zod';
import { int32, int64, listMap } from './common.ts';
import { conditionSchema } from './condition.ts';
import { MAX_CONDITIONS, MAX_URI_LENGTH } from './limits.ts';
import {
  canaryStatusSchema,
  historySchema,
  rolloutStateSchema,
  stableStatusSchema,
  trafficListSchema,
} from './rollout-status.ts';
import { analysisStatusSchema } from './analysis-status.ts';
import { registryModelStatusSchema } from './registry-status.ts';
import { batchStatusSchema } from './batch-status.ts';
import { retrainingStatusSchema } from './retraining-status.ts';
import { driftStatusSchema } from './drift-status.ts';

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
    stable: stableStatusSchema.optional(),
    canary: canaryStatusSchema.optional(),
    traffic: trafficListSchema.optional(),
    history: historySchema.optional(),
    rollout: rolloutStateSchema.optional(),
    analysis: analysisStatusSchema.optional(),
    model: registryModelStatusSchema.optional(),
    batch: batchStatusSchema.optional(),
    retraining: retrainingStatusSchema.optional(),
    drift: driftStatusSchema.optional(),
  })
  .describe('Observed state, written by the operator.');

export type ModelDeploymentStatus = z.output<typeof modelDeploymentStatusSchema>;
