// CPU, memory and accelerator requests and limits, as on a Kubernetes container, with the rules the
// Pod API applies to them: applied here so a mistake fails `kubectl apply`, not the Deployment later.
import { z } from 'zod';
import { withCelRules } from './cel-rule.ts';
import type { CelRule } from './cel-rule.ts';
import { boundedRecord } from './common.ts';
import { MAX_RESOURCES, MAX_SHORT_STRING } from './limits.ts';
import { QUALIFIED_NAME } from './patterns.ts';
import { quantitySchema, quantityString } from './quantity.ts';
import type { Quantity } from './quantity.ts';
import { hugepagesSizeRule } from './hugepages-rule.ts';
import {
  compareQuantities,
  isWholeQuantity,
  isWholeQuantityCel,
  nanoValue,
  parsesAsQuantityCel,
  quantityOfCel,
} from './quantity-value.ts';
import {
  allowsOvercommit,
  allowsOvercommitCel,
  isContainerResourceName,
  isContainerResourceNameCel,
  isExtendedResource,
  isExtendedResourceCel,
  isHugepages,
  isHugepagesCel,
} from './resource-names.ts';


const resourceMap = () =>
  boundedRecord(
    z
      .string()
      .max(MAX_SHORT_STRING)
      .regex(QUALIFIED_NAME, { error: 'must be a resource name such as cpu, memory or nvidia.com/gpu' }),
    quantitySchema,
    MAX_RESOURCES,
  );

const resourcesObject = z
  .strictObject({
    requests: resourceMap().optional().describe('Guaranteed resources, e.g. {cpu: 500m, memory: 1Gi}.'),
    limits: resourceMap().optional().describe('Maximum resources, e.g. {memory: 2Gi, nvidia.com/gpu: 1}.'),
  })
  .describe('Compute resources of the model server container.');

type ResourcesObject = z.output<typeof resourcesObject>;
type Side = 'requests' | 'limits';
type Pair = { name: string; request: Quantity; limit: Quantity };

// CEL for the quantity at m[k].
const quantityCel = (m: string) => quantityOfCel(`${m}[k]`);
const parsesCel = (m: string) => parsesAsQuantityCel(`${m}[k]`);

function entries(r: ResourcesObject, side: Side): [string, Quantity][] {
  return Object.entries(r[side] ?? {});
}

function pairs(r: ResourcesObject): Pair[] {
  const limits = r.limits ?? {};
  return entries(r, 'requests').flatMap(([name, request]) => {
    const limit = limits[name];
    return limit === undefined ? [] : [{ name, request, limit }];
  });
}

// Both maps set: each request with a limit of the same name meets `ok` (or does not parse).
const pairedCel = (ok: string) =>
  `!has(self.requests) || !has(self.limits) || self.requests.all(k, !(k in self.limits) || !${parsesCel('self.requests')} || !${parsesCel('self.limits')} || ${ok})`;
const compareCel = `${quantityCel('self.requests')}.compareTo(${quantityCel('self.limits')})`;

const STANDARD_NAMES_MESSAGE =
  "resource names without a domain must be cpu, memory, ephemeral-storage or hugepages-<size>; any other resource needs its vendor's domain, e.g. nvidia.com/gpu, not gpu";
const WHOLE_UNITS_MESSAGE = 'GPUs and other extended resources are counted in whole units: use 1, 2, ..., not 500m or 0.5';

function namesRule(side: Side): CelRule<ResourcesObject> {
  return {
    rule: `!has(self.${side}) || self.${side}.all(k, ${isContainerResourceNameCel})`,
    message: STANDARD_NAMES_MESSAGE,
    messageFor: (r) => {
      const bad = entries(r, side).map(([n]) => n).filter((n) => !isContainerResourceName(n));
      return `${bad.join(', ')} is not a resource Kubernetes knows: ${STANDARD_NAMES_MESSAGE}`;
    },
    fieldPath: `.${side}`,
    check: (r) => entries(r, side).every(([n]) => isContainerResourceName(n)),
  };
}

function wholeUnitsRule(side: Side): CelRule<ResourcesObject> {
  return {
    rule: `!has(self.${side}) || self.${side}.all(k, !${isExtendedResourceCel} || !${parsesCel(`self.${side}`)} || ${isWholeQuantityCel(quantityCel(`self.${side}`))})`,
    message: WHOLE_UNITS_MESSAGE,
    fieldPath: `.${side}`,
    check: (r) => entries(r, side).every(([n, q]) => !isExtendedResource(n) || isWholeQuantity(q) || nanoValue(q) === undefined),
  };
}

const describePair = (p: Pair) => `requests[${p.name}] (${quantityString(p.request)}) vs limits[${p.name}] (${quantityString(p.limit)})`;
const exceedsLimit = (p: Pair) => allowsOvercommit(p.name) && compareQuantities(p.request, p.limit) === 1;
const differsFromLimit = (p: Pair) => !allowsOvercommit(p.name) && (compareQuantities(p.request, p.limit) ?? 0) !== 0;
const REQUEST_ABOVE_LIMIT = 'a request must not be more than the limit of the same resource (compared as quantities: 500m is less than 1, 1Gi equals 1024Mi)';
const OVERCOMMIT = 'GPUs and other extended resources, and hugepages, cannot be overcommitted: the request must equal the limit (setting the limit alone is enough)';

export const resourcesSchema = withCelRules(resourcesObject, [
  namesRule('requests'),
  namesRule('limits'),
  wholeUnitsRule('requests'),
  wholeUnitsRule('limits'),
  hugepagesSizeRule('requests'),
  hugepagesSizeRule('limits'),
  {
    rule: pairedCel(`!${allowsOvercommitCel} || ${compareCel} <= 0`),
    message: REQUEST_ABOVE_LIMIT,
    messageFor: (r) => `${pairs(r).filter(exceedsLimit).map(describePair).join(', ')}: ${REQUEST_ABOVE_LIMIT}`,
    fieldPath: '.requests',
    check: (r) => !pairs(r).some(exceedsLimit),
  },
  {
    rule: pairedCel(`${allowsOvercommitCel} || ${compareCel} == 0`),
    message: OVERCOMMIT,
    messageFor: (r) => `${pairs(r).filter(differsFromLimit).map(describePair).join(', ')}: ${OVERCOMMIT}`,
    fieldPath: '.requests',
    check: (r) => !pairs(r).some(differsFromLimit),
  },
  {
    // A GPU requested alone gets its limit from the renderer; hugepages do not, and the Pod API wants one.
    rule: `!has(self.requests) || self.requests.all(k, !${isHugepagesCel} || (has(self.limits) && k in self.limits))`,
    message: 'hugepages cannot be overcommitted: set limits.hugepages-<size> equal to the request',
    fieldPath: '.limits',
    reason: 'FieldValueRequired',
    check: (r) => entries(r, 'requests').every(([n]) => !isHugepages(n) || r.limits?.[n] !== undefined),
  },
  {
    rule: `!(${['requests', 'limits'].map((s) => `(has(self.${s}) && self.${s}.exists(k, ${isHugepagesCel}))`).join(' || ')}) || ${['requests', 'limits'].map((s) => `(has(self.${s}) && ('cpu' in self.${s} || 'memory' in self.${s}))`).join(' || ')}`,
    message: 'hugepages need a cpu or memory request or limit as well',
    check: (r) => {
      const names = [...entries(r, 'requests'), ...entries(r, 'limits')].map(([n]) => n);
      return !names.some(isHugepages) || names.includes('cpu') || names.includes('memory');
    },
  },
]);

export type Resources = z.output<typeof resourcesSchema>;
