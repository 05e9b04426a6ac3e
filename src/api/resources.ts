// CPU, memory and accelerator requests and limits, as on a Kubernetes container.
import { z } from 'zod';
import { boundedRecord } from './common.ts';
import { MAX_RESOURCES, MAX_SHORT_STRING } from './limits.ts';
import { quantitySchema } from './quantity.ts';

// cpu, memory, ephemeral-storage, or a qualified extended resource such as nvidia.com/gpu.
const RESOURCE_NAME = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;

const resourceMap = () =>
  boundedRecord(
    z
      .string()
      .max(MAX_SHORT_STRING)
      .regex(RESOURCE_NAME, { error: 'must be a resource name such as cpu, memory or nvidia.com/gpu' }),
    quantitySchema,
    MAX_RESOURCES,
  );

export const resourcesSchema = z
  .strictObject({
    requests: resourceMap().optional().describe('Guaranteed resources, e.g. {cpu: 500m, memory: 1Gi}.'),
    limits: resourceMap().optional().describe('Maximum resources, e.g. {memory: 2Gi, nvidia.com/gpu: 1}.'),
  })
  .describe('Compute resources of the model server container.');

export type Resources = z.output<typeof resourcesSchema>;
