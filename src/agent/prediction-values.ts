// The predictions of one inference response, as the agent counts them for prediction drift: OIP v2
// `outputs[0].data` and v1 / JSON `predictions`, flattened. Integers, booleans and short strings are
// categories; real numbers go to a histogram. An OIP v2 output of datatype FP* is real even where a value
// happens to be whole (a probability of exactly 1), and without a datatype one non-integer number makes every
// number of the response real, so one response never splits across the two. Pure.

/** Values of one response counted at most: a batch bigger than this is counted by its first values. */
export const MAX_PREDICTION_VALUES = 10_000;
/** A longer string is not a category (free text); it is not counted. */
export const MAX_CATEGORY_LENGTH = 64;
/** The output name of v1 / JSON `predictions`. */
export const V1_OUTPUT = 'predictions';

export interface PredictionValues {
  /** outputs[0].name (v2), or "predictions" (v1). */
  readonly output: string;
  readonly categories: readonly string[];
  readonly reals: readonly number[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

type Scalar = string | number | boolean;

function flat(data: unknown, out: Scalar[], depth: number): void {
  if (out.length >= MAX_PREDICTION_VALUES) return;
  if (Array.isArray(data)) {
    if (depth < 4) for (const d of data) flat(d, out, depth + 1);
  } else if (isObject(data)) {
    // v1 rows such as {"label": "setosa"}: their values.
    if (depth < 4) for (const d of Object.values(data)) flat(d, out, depth + 1);
  } else if (typeof data === 'string' || typeof data === 'boolean' || (typeof data === 'number' && Number.isFinite(data))) {
    out.push(data);
  }
}

/** The predictions of a parsed response body; undefined when it has none. */
export function predictionValues(body: unknown): PredictionValues | undefined {
  if (!isObject(body)) return undefined;
  const values: Scalar[] = [];
  let output: string;
  let real: boolean | undefined;
  const outputs = body.outputs;
  if (Array.isArray(outputs) && isObject(outputs[0])) {
    const first = outputs[0];
    flat(first.data, values, 0);
    output = typeof first.name === 'string' && first.name !== '' ? first.name : 'output-0';
    if (typeof first.datatype === 'string') real = /^FP/i.test(first.datatype);
  } else if (Array.isArray(body.predictions)) {
    flat(body.predictions, values, 0);
    output = V1_OUTPUT;
  } else {
    return undefined;
  }
  if (values.length === 0) return undefined;
  real ??= values.some((v) => typeof v === 'number' && !Number.isInteger(v));
  const categories: string[] = [];
  const reals: number[] = [];
  for (const v of values) {
    if (typeof v === 'number' && real) reals.push(v);
    else if (typeof v !== 'string') categories.push(String(v));
    else if (v.length <= MAX_CATEGORY_LENGTH) categories.push(v);
  }
  return { output, categories, reals };
}

/** A response body's bytes as predictions: only a whole (not truncated) JSON object is parsed. */
export function predictionValuesOfBytes(bytes: Buffer, truncated: boolean): PredictionValues | undefined {
  if (truncated || bytes.length === 0) return undefined;
  // `{` first, after any whitespace: anything else is not a JSON object and is not parsed.
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] !== 0x7b) return undefined;
  try {
    return predictionValues(JSON.parse(bytes.toString('utf8')) as unknown);
  } catch {
    return undefined;
  }
}
