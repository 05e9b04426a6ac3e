// spec.batch.runner.resources and spec.monitoring.logging.resources: CPU and memory of a modelship
// container beside the model server (the batch runner, the inference agent). Both call the model over
// HTTP, so they need no GPUs or hugepages; a schema of just cpu and memory keeps the CRD within its
// size budget, where spec.runtime.resources' full Pod API rules would not fit again.
import { z } from 'zod';
import { withCelRules, type CelRule } from './cel-rule.ts';
import { quantitySchema, quantityString } from './quantity.ts';
import { compareQuantities, parsesAsQuantityCel, quantityOfCel } from './quantity-value.ts';

const RUNNER_RESOURCES = ['cpu', 'memory'] as const;
type RunnerResource = (typeof RUNNER_RESOURCES)[number];

const side = (what: string) =>
  z
    .strictObject({
      cpu: quantitySchema.optional().describe('CPU, e.g. 500m (half a core) or 2.'),
      memory: quantitySchema.optional().describe('Memory, e.g. 512Mi or 2Gi.'),
    })
    .describe(what);

const resourcesObject = (description: string) =>
  z
    .strictObject({
      requests: side('Guaranteed CPU and memory, e.g. {cpu: 500m, memory: 512Mi}.').optional(),
      limits: side('Maximum CPU and memory, e.g. {memory: 1Gi}.').optional(),
    })
    .describe(description);

type RunnerResourcesObject = z.output<ReturnType<typeof resourcesObject>>;

function requestWithinLimit(name: RunnerResource): CelRule<RunnerResourcesObject> {
  const request = `self.requests.${name}`;
  const limit = `self.limits.${name}`;
  return {
    rule: `!has(self.requests) || !has(self.limits) || !has(${request}) || !has(${limit}) || !${parsesAsQuantityCel(request)} || !${parsesAsQuantityCel(limit)} || ${quantityOfCel(request)}.compareTo(${quantityOfCel(limit)}) <= 0`,
    message: `requests.${name} must not be more than limits.${name} (compared as quantities: 500m is less than 1, 1Gi equals 1024Mi)`,
    messageFor: (r) =>
      `requests.${name} (${quantityString(r.requests![name]!)}) must not be more than limits.${name} (${quantityString(r.limits![name]!)})`,
    fieldPath: `.requests.${name}`,
    check: (r) => {
      const req = r.requests?.[name];
      const lim = r.limits?.[name];
      return req === undefined || lim === undefined || compareQuantities(req, lim) !== 1;
    },
  };
}

/** CPU and memory of a container, with requests at most limits. */
export const cpuMemoryResourcesSchema = (description: string) =>
  withCelRules(resourcesObject(description), RUNNER_RESOURCES.map(requestWithinLimit));

export const runnerResourcesSchema = cpuMemoryResourcesSchema(
  'CPU and memory of the runner container (the model server has spec.runtime.resources).',
);

export type RunnerResources = z.output<typeof runnerResourcesSchema>;
