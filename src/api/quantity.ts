// A Kubernetes resource quantity: `2`, `500m`, `1Gi`. Integers are accepted as YAML writes them.
import { z } from 'zod';
import { QUANTITY } from './patterns.ts';

const QUANTITY_HINT = 'must be a quantity such as 2, 500m, 1.5, 512Mi or 4Gi';

export const quantitySchema = z
  .union([z.int().min(0), z.string().max(64).regex(QUANTITY, { error: QUANTITY_HINT })], {
    error: (issue) => (issue.input === undefined ? 'is required' : QUANTITY_HINT),
  })
  .meta({ 'x-kubernetes-int-or-string': true });

export type Quantity = z.output<typeof quantitySchema>;

/** The quantity as the API server prints it back for integers: a string. */
export function quantityString(q: Quantity): string {
  return typeof q === 'number' ? String(q) : q;
}
