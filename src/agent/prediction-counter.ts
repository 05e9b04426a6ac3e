// Counts each 2xx inference response's predictions into the agent's prediction metrics, for the canary
// analysis' drift check (docs/analysis.md "Prediction drift"). Label values come from model output, so
// they are capped per pod: at most MAX_CATEGORIES_PER_OUTPUT distinct values per output and
// MAX_OUTPUTS distinct outputs, every further one counted as OTHER. The first ones seen keep their own
// label for the life of the pod.
import type { Counter, Histogram } from 'prom-client';
import type { PredictionValues } from './prediction-values.ts';

export const MAX_CATEGORIES_PER_OUTPUT = 32;
export const MAX_OUTPUTS = 4;
/** The label value of categories (and outputs) beyond the caps. */
export const OTHER = '__other__';

export class PredictionCounter {
  readonly #categories: Counter<'output' | 'value'>;
  readonly #values: Histogram<'output'>;
  readonly #seen = new Map<string, Set<string>>();

  constructor(categories: Counter<'output' | 'value'>, values: Histogram<'output'>) {
    this.#categories = categories;
    this.#values = values;
  }

  count(p: PredictionValues): void {
    const output = this.#outputLabel(p.output);
    if (p.categories.length > 0) {
      const seen = this.#seen.get(output)!;
      const tally = new Map<string, number>();
      for (const c of p.categories) {
        let value = c;
        if (!seen.has(c)) {
          if (seen.size < MAX_CATEGORIES_PER_OUTPUT && c !== OTHER) seen.add(c);
          else value = OTHER;
        }
        tally.set(value, (tally.get(value) ?? 0) + 1);
      }
      for (const [value, n] of tally) this.#categories.inc({ output, value }, n);
    }
    for (const v of p.reals) this.#values.observe({ output }, v);
  }

  #outputLabel(name: string): string {
    if (this.#seen.has(name)) return name;
    const label = this.#seen.size < MAX_OUTPUTS && name !== OTHER && name.length <= 64 ? name : OTHER;
    if (!this.#seen.has(label)) this.#seen.set(label, new Set());
    return label;
  }
}
