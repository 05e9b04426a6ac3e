// hugepages-<size>: the Pod API wants <size> to be a quantity and the amount a whole multiple of it
// (hugepages-2Mi: 4Mi, not 3Mi).
import type { CelRule } from './cel-rule.ts';
import type { Quantity } from './quantity.ts';
import { isWholeQuantity, isWholeQuantityCel, nanoValue, parsesAsQuantityCel, quantityOfCel, wholeQuantityIntCel } from './quantity-value.ts';
import { HUGEPAGES_PREFIX, isHugepages, isHugepagesCel } from './resource-names.ts';

type ResourceMaps = { requests?: Record<string, Quantity> | undefined; limits?: Record<string, Quantity> | undefined };

export function isHugepagesAmount(name: string, amount: Quantity): boolean {
  const size = name.slice(HUGEPAGES_PREFIX.length);
  const sizeNano = nanoValue(size);
  const amountNano = nanoValue(amount);
  if (sizeNano === undefined || amountNano === undefined) return amountNano === undefined; // the pattern reports it
  return isWholeQuantity(size) && sizeNano > 0n && isWholeQuantity(amount) && amountNano % sizeNano === 0n;
}

export function hugepagesSizeRule(side: 'requests' | 'limits'): CelRule<ResourceMaps> {
  const size = `quantity(k.substring(${HUGEPAGES_PREFIX.length}))`;
  const amount = quantityOfCel(`self.${side}[k]`);
  const ok =
    `isQuantity(k.substring(${HUGEPAGES_PREFIX.length})) && ${isWholeQuantityCel(size)} && ${size}.isGreaterThan(quantity('0')) && ` +
    `${isWholeQuantityCel(amount)} && ${wholeQuantityIntCel(amount)} % ${wholeQuantityIntCel(size)} == 0`;
  return {
    rule: `!has(self.${side}) || self.${side}.all(k, !${isHugepagesCel} || !${parsesAsQuantityCel(`self.${side}[k]`)} || (${ok}))`,
    message: 'hugepages-<size> takes a page size such as 2Mi or 1Gi, and a whole number of pages: hugepages-2Mi: 4Mi, not 3Mi',
    fieldPath: `.${side}`,
    check: (r) => Object.entries(r[side] ?? {}).every(([n, q]) => !isHugepages(n) || isHugepagesAmount(n, q)),
  };
}
