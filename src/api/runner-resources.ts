// spec.batch.runner.resources: CPU and memory of the runner container. The runner reads records and
// calls the model over HTTP, so it needs no GPUs or hugepages; a schema of just cpu and memory keeps
// the CRD within its size budget, where spec.runtime.resources' full Pod API rules would not fit twice.
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

const runnerResourcesObject = z
  .strictObject({
    requests: side('Guaranteed CPU and memory, e.g. {cpu: 500m, memory: 512Mi}.').optional(),
    limits: side('Maximum CPU and memory, e.g. {memory: 1Gi}.').optional(),
  })
  .describe('CPU and memory of the runner container (the model server has spec.runtime.resources).');

type RunnerResourcesObject = z.output<typeof runnerResourcesObject>;

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

export const runnerResourcesSchema = withCelRules(runnerResourcesObject, RUNNER_RESOURCES.map(requestWithinLimit));

export type RunnerResources = z.output<typeof runnerResourcesSchema>;
