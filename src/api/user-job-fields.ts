// The fields of a Job that runs a user's image (spec.rollout.validation.job, spec.monitoring.retraining.job):
// what a pod author could write, nothing that widens it (no ServiceAccount, no volumes, no privileges).
import { z } from 'zod';
import { listMap } from './common.ts';
import { envVarSchema } from './env-var.ts';
import { MAX_ARGS, MAX_COMMAND, MAX_ENV, MAX_IMAGE_LENGTH, MAX_LONG_STRING } from './limits.ts';
import { IMAGE } from './patterns.ts';

export const userJobFields = (imageDescription: string, envDescription: string) => ({
  image: z
    .string()
    .min(1)
    .max(MAX_IMAGE_LENGTH)
    .regex(IMAGE, { error: 'must be a container image reference without spaces' })
    .describe(imageDescription),
  command: z.array(z.string().max(MAX_LONG_STRING)).max(MAX_COMMAND).optional().describe('Entrypoint.'),
  args: z.array(z.string().max(MAX_LONG_STRING)).max(MAX_ARGS).optional().describe('Arguments.'),
  env: listMap(envVarSchema, 'name', MAX_ENV).optional().describe(envDescription),
});
