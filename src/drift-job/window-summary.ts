// A check's window as its log lines stream by: each record inside the window that is a successful
// inference call (logged-request.ts) has its rows' feature values (and its predictions) added to bounded per-feature
// accumulators; everything else is counted by why it was left out. Pure: lines in, feature inputs out.
import type { DriftSettings, FeatureInput } from '../drift/drift-verdict.ts';
import type { DriftWindow } from './drift-window.ts';
import { DriftJobFailure } from './exit-codes.ts';
import type { FeatureSpec } from './feature-spec.ts';
import { resolveMapping, shapeKey, type Mapping } from './feature-mapping.ts';
import type { ProfiledColumn } from './profile-document.ts';
import { loggedRequest, newReadCounts, type WindowReadCounts } from './logged-request.ts';
import { responsePredictions } from './request-inputs.ts';
import { seededRandom, seedOf } from './seeded-random.ts';
import { WindowAccumulator } from './window-accumulator.ts';

function featureInput(name: string, acc: WindowAccumulator): FeatureInput {
  const window = acc.window();
  if (acc.profile.kind === 'numeric' && window.kind === 'numeric-window') return { name, profile: acc.profile, current: window };
  if (acc.profile.kind === 'categorical' && window.kind === 'categorical-window') return { name, profile: acc.profile, current: window };
  throw new Error(`${name}: the window does not match the profile`);
}

export class WindowSummary {
  readonly read: WindowReadCounts = newReadCounts();
  readonly #features: ReadonlyMap<string, WindowAccumulator>;
  readonly #predictions: { readonly name: string; readonly acc: WindowAccumulator } | undefined;
  readonly #window: DriftWindow;
  readonly #specs: readonly FeatureSpec[] | undefined;
  readonly #mappings = new Map<string, Mapping>();

  /** `seed` makes the reservoir samples reproducible (one stream per feature). */
  constructor(features: readonly ProfiledColumn[], target: ProfiledColumn | undefined, specs: readonly FeatureSpec[] | undefined, window: DriftWindow, settings: DriftSettings, seed: string) {
    this.#features = new Map(features.map((f) => [f.name, new WindowAccumulator(f.profile, settings.sampleSize, seededRandom(seedOf(`${seed}/${f.name}`)))]));
    this.#predictions = target !== undefined ? { name: target.name, acc: new WindowAccumulator(target.profile, settings.sampleSize, seededRandom(seedOf(`${seed}/predictions`))) } : undefined;
    this.#window = window;
    this.#specs = specs;
  }

  /** One log line; `where` names its file for errors. Throws when requests map to no features. */
  addLine(line: string, where: string): void {
    const parsed = loggedRequest(line, this.#window, this.read, where);
    if (parsed === undefined) return;
    const shape = shapeKey(parsed.inputs);
    let mapping = this.#mappings.get(shape);
    if (mapping === undefined) {
      const resolved = resolveMapping(parsed.inputs, [...this.#features.keys()], this.#specs);
      if (typeof resolved === 'string') throw new DriftJobFailure('UnreadableData', resolved);
      mapping = resolved;
      this.#mappings.set(shape, mapping);
    }
    const byName = new Map(parsed.inputs.map((x) => [x.name, x]));
    for (let r = 0; r < parsed.rows; r++) {
      for (const source of mapping) this.#features.get(source.feature)!.add(byName.get(source.input)!.rows[r]![source.index]);
    }
    if (this.#predictions !== undefined) {
      const values = responsePredictions(parsed.response, parsed.rows);
      if (values !== undefined) for (const v of values) this.#predictions.acc.add(v);
      else this.#predictions.acc.missing += parsed.rows;
    }
    this.read.used++;
    this.read.rows += parsed.rows;
  }

  /** The features' inputs to the verdict, then the predictions' when judged. */
  inputs(): { readonly features: readonly FeatureInput[]; readonly predictions: FeatureInput | undefined } {
    return {
      features: [...this.#features].map(([name, acc]) => featureInput(name, acc)),
      predictions: this.#predictions !== undefined ? featureInput(this.#predictions.name, this.#predictions.acc) : undefined,
    };
  }

  /** Values per feature (and for the predictions) that were missing or of the wrong type. */
  missing(): Map<string, number> {
    const out = new Map([...this.#features].map(([name, acc]) => [name, acc.missing]));
    if (this.#predictions !== undefined) out.set(this.#predictions.name, this.#predictions.acc.missing);
    return out;
  }
}
