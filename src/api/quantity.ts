// A Kubernetes resource quantity: `2`, `500m`, `1Gi`. Integers are accepted as YAML writes them.
import { z } from 'zod';
import { QUANTITY } from './patterns.ts';

const QUANTITY_HINT = 'must be a quantity such as 2, 500m, 1.5, 512Mi or 4Gi';
// A Pod takes `cpu: 0.5` unquoted; a custom resource cannot: a structural schema has no number-or-string type,
// and a field left untyped could not be checked by CEL at all (requests above limits, whole GPUs, ...). So the
// CRD refuses a decimal number, and this says how to write it instead.
const decimalHint = (n: number) =>
  `must be quoted, "${n}" (or in milli-units, ${Math.round(n * 1000)}m): a Pod takes a decimal number here, but a ModelDeployment takes a quantity as a whole number or a string`;

export const quantitySchema = z
  .union([z.int().min(0), z.string().max(64).regex(QUANTITY, { error: QUANTITY_HINT })], {
    error: (issue) =>
      issue.input === undefined
        ? 'is required'
        : typeof issue.input === 'number' && Number.isFinite(issue.input) && !Number.isInteger(issue.input)
          ? decimalHint(issue.input)
          : QUANTITY_HINT,
  })
  .meta({ 'x-kubernetes-int-or-string': true });

export type Quantity = z.output<typeof quantitySchema>;

/** The quantity as the API server prints it back for integers: a string. */
export function quantityString(q: Quantity): string {
  return typeof q === 'number' ? String(q) : q;
}
