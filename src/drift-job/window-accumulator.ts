// One feature's (or the predictions') current values summarized as they stream by, in bounded memory:
// exact counts over the profile's bins or categories, and for numeric features the number of finite values
// and a uniform reservoir sample for the KS test (src/drift). Pure.
import type { CategoricalWindow, NumericWindow } from '../drift/drift-verdict.ts';
import { binIndex } from '../drift/numeric-profile.ts';
import { Reservoir } from '../drift/reservoir-sample.ts';
import type { FeatureProfile } from './profile-document.ts';
import { category } from './reference-table.ts';

export class WindowAccumulator {
  readonly profile: FeatureProfile;
  readonly counts: number[];
  /** Values that were missing or of the wrong type (e.g. text for a numeric feature). */
  missing = 0;
  count = 0;
  readonly #reservoir: Reservoir;
  readonly #categoryIndex: Map<string, number>;

  constructor(profile: FeatureProfile, sampleSize: number, random: () => number) {
    this.profile = profile;
    this.counts = new Array<number>(profile.counts.length).fill(0);
    this.#reservoir = new Reservoir(sampleSize, random);
    this.#categoryIndex = new Map(profile.kind === 'categorical' ? profile.categories.map((c, i) => [c, i]) : []);
  }

  add(value: unknown): void {
    if (this.profile.kind === 'numeric') {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        this.missing++;
        return;
      }
      this.counts[binIndex(this.profile.edges, value)]!++;
      this.#reservoir.add(value);
      this.count++;
      return;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      this.missing++;
      return;
    }
    const text = category(String(value));
    this.counts[this.#categoryIndex.get(text) ?? this.counts.length - 1]!++;
    this.count++;
  }

  window(): NumericWindow | CategoricalWindow {
    return this.profile.kind === 'numeric'
      ? { kind: 'numeric-window', count: this.count, counts: this.counts, sample: this.#reservoir.sample }
      : { kind: 'categorical-window', counts: this.counts };
  }
}
