// Ground truth against logged predictions. Pure.
// A prediction is classification when its values are labels (strings, booleans, integers, or an OIP v2
// output of datatype BOOL, BYTES or INT*/UINT*) and regression when they are real numbers (FP* outputs,
// non-integer numbers): classification labels count correct/incorrect, regression labels add errors.

export type Value = string | number | boolean;

export interface Predictions {
  readonly kind: 'classification' | 'regression';
  readonly values: readonly Value[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function flat(data: unknown, out: Value[], max: number): void {
  if (out.length >= max) return;
  if (Array.isArray(data)) for (const d of data) flat(d, out, max);
  else if (typeof data === 'string' || typeof data === 'number' || typeof data === 'boolean') out.push(data);
}

/** The predictions of a logged response body: outputs[0].data of OIP v2, or `predictions` of v1 / JSON. */
export function predictionsOf(response: unknown, max = 10_000): Predictions | undefined {
  if (!isObject(response)) return undefined;
  const values: Value[] = [];
  let datatype: string | undefined;
  const outputs = response.outputs;
  if (Array.isArray(outputs) && isObject(outputs[0])) {
    flat(outputs[0].data, values, max);
    datatype = typeof outputs[0].datatype === 'string' ? outputs[0].datatype.toUpperCase() : undefined;
  } else if (Array.isArray(response.predictions)) {
    for (const p of response.predictions) {
      // v1 rows may be [class] or {"label": x}: the first scalar of each row.
      const row: Value[] = [];
      flat(isObject(p) ? Object.values(p) : p, row, 1);
      if (row[0] !== undefined) values.push(row[0]);
      if (values.length >= max) break;
    }
  } else {
    return undefined;
  }
  if (values.length === 0) return undefined;
  const real = datatype !== undefined ? /^FP/.test(datatype) : values.some((v) => typeof v === 'number' && !Number.isInteger(v));
  return { kind: real ? 'regression' : 'classification', values };
}

export interface Comparison {
  readonly correct: number;
  readonly incorrect: number;
  readonly absoluteError: number;
  readonly squaredError: number;
  readonly errors: number;
}

export const NO_COMPARISON: Comparison = { correct: 0, incorrect: 0, absoluteError: 0, squaredError: 0, errors: 0 };

/** Whether a classification label equals a prediction: "1", 1 and 1.0 are the same class; true and "true" too. */
export function sameClass(label: Value, prediction: Value): boolean {
  if (typeof label === typeof prediction) return label === prediction;
  return String(label) === String(prediction);
}

/** Labels compared element-wise with the predictions (rows beyond either's end are not compared). */
export function compareLabels(labels: readonly Value[], predictions: Predictions): Comparison {
  const n = Math.min(labels.length, predictions.values.length);
  let correct = 0;
  let incorrect = 0;
  let absoluteError = 0;
  let squaredError = 0;
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    const prediction = predictions.values[i]!;
    if (predictions.kind === 'classification') {
      if (sameClass(label, prediction)) correct++;
      else incorrect++;
    } else {
      const l = typeof label === 'number' ? label : Number(label);
      const p = typeof prediction === 'number' ? prediction : Number(prediction);
      if (!Number.isFinite(l) || !Number.isFinite(p)) continue;
      absoluteError += Math.abs(l - p);
      squaredError += (l - p) ** 2;
      errors++;
    }
  }
  return { correct, incorrect, absoluteError, squaredError, errors };
}
