// A logged reference as a table: each row of each inference request in the window becomes a row of
// feature cells (and the prediction of that row), mapped from the request exactly as a check maps it
// (feature-mapping.ts), so the profile and the checks read the same values. The rows kept are a uniform
// sample of at most MAX_LOGGED_ROWS (algorithm R), so a busy week stays within the Job's memory; the
// counts of all rows read are kept beside it. Pure.
import { MAX_FEATURES, type FeatureSpec } from './feature-spec.ts';
import { resolveMapping, shapeKey, type Mapping } from './feature-mapping.ts';
import { DriftJobFailure } from './exit-codes.ts';
import type { LoggedRequest } from './logged-request.ts';
import { jsonCell, ReferenceTable, type Cell } from './reference-table.ts';
import { responsePredictions, type RequestInput } from './request-inputs.ts';

/** Rows kept for the profile: its quantile bins and categories come from a sample this large. */
export const MAX_LOGGED_ROWS = 200_000;
/** The predictions' column in the table: not a name a request input can give a feature. */
export const PREDICTIONS_COLUMN = '\u0000predictions';
/** The predictions' name in the profile. */
export const PREDICTIONS_NAME = 'predictions';

/** A kept row: its values, and the column names shared by every row of the same request shape. */
interface Row {
  readonly columns: readonly string[];
  readonly values: readonly Cell[];
}

/**
 * Feature names for requests shaped like `inputs` when spec.monitoring.drift.features is unset, chosen so
 * a check's default mapping reads them back: one 1-D input is one feature of its name; one input of
 * k values a row is k features `<input>[i]`, in order; several 1-D inputs are one feature each, by name.
 */
export function defaultFeatureNames(inputs: readonly RequestInput[]): string[] | string {
  if (inputs.length === 1 && !inputs[0]!.oneD && inputs[0]!.width > 0) {
    const input = inputs[0]!;
    if (input.width > MAX_FEATURES) return `input '${input.name}' has ${input.width} values a row, more than ${MAX_FEATURES} features: list the features to compare in spec.monitoring.drift.features`;
    return Array.from({ length: input.width }, (_, i) => `${input.name}[${i}]`);
  }
  if (inputs.length > 0 && inputs.length <= MAX_FEATURES && inputs.every((x) => x.oneD)) return inputs.map((x) => x.name);
  const shown = inputs.map((x) => `'${x.name}' (${x.oneD ? '1-D' : `${x.width} values a row`})`).join(', ');
  return `the logged requests have the inputs ${shown}, which give no default features: set spec.monitoring.drift.features (the input and index of each)`;
}

export class LoggedTable {
  /** Rows read, before sampling. */
  rows = 0;
  /** Rows whose response had a prediction for them. */
  predictions = 0;
  readonly #specs: readonly FeatureSpec[] | undefined;
  #names: readonly string[] | undefined;
  readonly #mappings = new Map<string, { readonly mapping: Mapping; readonly columns: readonly string[]; readonly withPredictions: readonly string[] }>();
  readonly #sample: Row[] = [];
  readonly #random: () => number;
  readonly #maxRows: number;

  constructor(specs: readonly FeatureSpec[] | undefined, random: () => number, maxRows = MAX_LOGGED_ROWS) {
    this.#specs = specs;
    this.#names = specs?.map((s) => s.name);
    this.#random = random;
    this.#maxRows = maxRows;
  }

  /** The feature names: listed, or from the first request's shape. */
  get features(): readonly string[] {
    return this.#names ?? [];
  }

  /** One request; throws when it maps to no features. */
  add(request: LoggedRequest): void {
    if (this.#names === undefined) {
      const names = defaultFeatureNames(request.inputs);
      if (typeof names === 'string') throw new DriftJobFailure('UnreadableData', names);
      this.#names = names;
    }
    const shape = shapeKey(request.inputs);
    let mapped = this.#mappings.get(shape);
    if (mapped === undefined) {
      const resolved = resolveMapping(request.inputs, this.#names, this.#specs);
      if (typeof resolved === 'string') throw new DriftJobFailure('UnreadableData', resolved);
      const columns = resolved.map((s) => s.feature);
      mapped = { mapping: resolved, columns, withPredictions: [...columns, PREDICTIONS_COLUMN] };
      this.#mappings.set(shape, mapped);
    }
    const { mapping } = mapped;
    const byName = new Map(request.inputs.map((x) => [x.name, x]));
    const predictions = responsePredictions(request.response, request.rows);
    for (let r = 0; r < request.rows; r++) {
      const values: Cell[] = mapping.map((s) => jsonCell(byName.get(s.input)!.rows[r]![s.index]));
      if (predictions !== undefined) {
        values.push(jsonCell(predictions[r]));
        this.predictions++;
      }
      this.#keep({ columns: predictions !== undefined ? mapped.withPredictions : mapped.columns, values });
    }
  }

  #keep(row: Row): void {
    this.rows++;
    if (this.#sample.length < this.#maxRows) this.#sample.push(row);
    else {
      const j = Math.floor(this.#random() * this.rows);
      if (j < this.#maxRows) this.#sample[j] = row;
    }
  }

  /**
   * The sampled rows as a table. Every row lists the features in their order (the mapping follows the
   * names), then the prediction, so the table's columns come in that order.
   */
  table(): ReferenceTable {
    const table = new ReferenceTable(() => true, MAX_FEATURES + 1);
    for (const row of this.#sample) table.addRow(row.values.map((v, i) => [row.columns[i]!, v] as const));
    return table;
  }
}
