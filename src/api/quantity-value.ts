// Exact quantity arithmetic for the rules that compare resources (500m < 1, 1Gi = 1024Mi). It rounds as
// the API server's resource.ParseQuantity does, up to the next nano unit, so zod and CEL's quantity()
// agree on what is equal.
import { QUANTITY } from './patterns.ts';
import type { Quantity } from './quantity.ts';

const DECIMAL_EXPONENT: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_EXPONENT: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const PARTS = /^([0-9]*)(?:\.([0-9]*))?(.*)$/;
const NANO_PER_UNIT = 10n ** 9n;
const MAX_INT64 = 2n ** 63n - 1n;
// Beyond this a power of ten is no resource anyone has; clamping keeps a 64-character `1e999999999` cheap.
const MAX_EXPONENT = 1000;

/** The quantity in nano units (1 means 10^-9), rounded up; undefined when it is not a quantity. */
export function nanoValue(q: Quantity): bigint | undefined {
  if (typeof q === 'number') return Number.isSafeInteger(q) ? BigInt(q) * NANO_PER_UNIT : undefined;
  if (!QUANTITY.test(q)) return undefined;
  const [, whole = '', fraction = '', suffix = ''] = PARTS.exec(q) ?? [];
  let mantissa = BigInt(`${whole}${fraction}` || '0');
  let exponent = 9 - fraction.length;
  const binary = BINARY_EXPONENT[suffix];
  if (binary !== undefined) mantissa *= 2n ** BigInt(binary);
  else if (suffix.length > 1) exponent += Number(suffix.slice(1)); // e3, E-2; a lone E is exa
  else if (suffix !== '') exponent += DECIMAL_EXPONENT[suffix] ?? 0;
  exponent = Math.max(-MAX_EXPONENT, Math.min(MAX_EXPONENT, exponent));
  let nano = exponent >= 0 ? mantissa * 10n ** BigInt(exponent) : ceilDiv(mantissa, 10n ** BigInt(-exponent));
  // Binary quantities are capped at the largest int64, as the API server does.
  if (binary !== undefined && nano > MAX_INT64 * NANO_PER_UNIT) nano = MAX_INT64 * NANO_PER_UNIT;
  return nano;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** -1, 0 or 1 as a is less than, equal to or more than b; undefined when either is not a quantity. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 | undefined {
  const x = nanoValue(a);
  const y = nanoValue(b);
  if (x === undefined || y === undefined) return undefined;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Bound of isWholeQuantity: far above any count of devices, well within a float's exact integers. */
export const MAX_WHOLE_QUANTITY = 10n ** 15n;

/**
 * Whether the quantity is a whole number below MAX_WHOLE_QUANTITY, written in any unit (1000m is 1).
 * CEL's isInteger() would say no to 1000m, so the CRD rounds asApproximateFloat() and compares instead
 * (through add(int): the cost estimator prices string() of a computed int as unbounded).
 */
export function isWholeQuantity(q: Quantity): boolean {
  const nano = nanoValue(q);
  return nano !== undefined && nano % NANO_PER_UNIT === 0n && nano < MAX_WHOLE_QUANTITY * NANO_PER_UNIT;
}

/** CEL twin of isWholeQuantity for the quantity expression `q`. */
export const isWholeQuantityCel = (q: string): string =>
  `(${q}.isLessThan(quantity('${MAX_WHOLE_QUANTITY}')) && ${q}.compareTo(quantity('0').add(${wholeQuantityIntCel(q)})) == 0)`;

/** CEL: the int-or-string expression `e` as a quantity (an int goes through string() first). */
export const quantityOfCel = (e: string): string => `(type(${e}) == int ? quantity(string(${e})) : quantity(${e}))`;

/** CEL: whether quantity() takes the int-or-string expression `e`; guards it, so a bad string reports only its pattern. */
export const parsesAsQuantityCel = (e: string): string => `(type(${e}) == int || isQuantity(${e}))`;

/** CEL: the whole quantity expression `q` (see isWholeQuantityCel) as an int. */
export const wholeQuantityIntCel = (q: string): string => `int(${q}.asApproximateFloat() + 0.5)`;
