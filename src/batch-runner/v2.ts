// Open Inference Protocol (V2) requests and responses for rows of numbers. Pure.

export interface InferRequest {
  readonly inputs: readonly [{ readonly name: 'input-0'; readonly shape: readonly [number, number]; readonly datatype: 'FP64'; readonly data: readonly number[] }];
}

export function inferPath(model: string, version: string | undefined): string {
  const m = encodeURIComponent(model);
  return version !== undefined ? `/v2/models/${m}/versions/${encodeURIComponent(version)}/infer` : `/v2/models/${m}/infer`;
}

const CONCAT_SLICE = 1024;

export function buildRequest(rows: readonly (readonly number[])[]): InferRequest {
  const width = rows[0]?.length ?? 0;
  // concat sizes one array of unboxed doubles at once; `rows.flat()` and push grew theirs step by step
  // (five times the bytes). In slices, so that no call spreads more arguments than the stack holds.
  let data: number[] = [];
  for (let i = 0; i < rows.length; i += CONCAT_SLICE) data = data.concat(...rows.slice(i, i + CONCAT_SLICE));
  return { inputs: [{ name: 'input-0', shape: [rows.length, width], datatype: 'FP64', data }] };
}

export type SplitResult = { readonly ok: true; readonly predictions: unknown[]; readonly modelVersion?: string | undefined } | { readonly ok: false; readonly error: string };

function flatten(data: unknown): unknown[] {
  if (!Array.isArray(data)) return [];
  const items: unknown[] = data;
  // The usual answer, one value per row, is already flat: no copy.
  if (!items.some((d) => Array.isArray(d))) return items;
  return items.flatMap((d): unknown[] => (Array.isArray(d) ? flatten(d) : [d]));
}

/** The response's first output split into one prediction per row: a scalar for shape [n], an array otherwise. */
export function splitResponse(body: unknown, rows: number): SplitResult {
  if (typeof body !== 'object' || body === null) return { ok: false, error: 'the response is not a JSON object' };
  const { outputs, model_version: version } = body as { outputs?: unknown; model_version?: unknown };
  const first: unknown = Array.isArray(outputs) ? outputs[0] : undefined;
  if (typeof first !== 'object' || first === null) return { ok: false, error: 'the response has no outputs' };
  const { shape, data } = first as { shape?: unknown; data?: unknown };
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) return { ok: false, error: 'the first output has no valid shape' };
  const dims = shape as number[];
  if (dims[0] !== rows) return { ok: false, error: `the first output has ${String(dims[0])} rows for ${rows} records` };
  const flat = flatten(data);
  const per = dims.slice(1).reduce((a, b) => a * b, 1);
  if (flat.length !== rows * per) return { ok: false, error: `the first output has ${flat.length} values for shape [${dims.join(', ')}]` };
  const predictions = dims.length === 1 ? flat : Array.from({ length: rows }, (_, i) => flat.slice(i * per, (i + 1) * per));
  return { ok: true, predictions, modelVersion: typeof version === 'string' && version !== '' ? version : undefined };
}
