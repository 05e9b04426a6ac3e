// A status condition with the shape of metav1.Condition, so kstatus, Argo CD and kubectl read it.
import { z } from 'zod';
import { int64 } from './common.ts';
import { MAX_ENV_VALUE } from './limits.ts';

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

export const conditionSchema = z.object({
  type: z
    .string()
    .min(1)
    .max(316)
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/)
    .describe('Condition type in CamelCase, e.g. Ready.'),
  status: z.enum(CONDITION_STATUSES).describe('True, False or Unknown.'),
  observedGeneration: int64().min(0).optional().describe('metadata.generation the condition was set for.'),
  lastTransitionTime: z.iso.datetime().describe('When status last changed.'),
  reason: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
    .describe('CamelCase reason for the last transition.'),
  message: z.string().max(MAX_ENV_VALUE).describe('Human-readable detail.'),
});

export type Condition = z.output<typeof conditionSchema>;
