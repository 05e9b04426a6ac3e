// A logged request body as named inputs of rows: OIP v2 `{"inputs":[{name, shape, data}]}` (shape [n, k]
// gives n rows of k values; [n] or [n, 1] one value a row, a 1-D input) and v1 `{"instances": [...]}`
// (rows are the instances: arrays are one input named "instances", objects give one input per key, scalars
// one 1-D input). Pure.

export interface RequestInput {
  readonly name: string;
  /** Values per row. */
  readonly width: number;
  /** One value per row: shape [n] or [n, 1], or a scalar per instance. */
  readonly oneD: boolean;
  readonly rows: readonly (readonly unknown[])[];
}

/** The inputs, undefined for a body that is no inference request, or why the request cannot be read. */
export type ParsedRequest = { readonly kind: 'inputs'; readonly inputs: readonly RequestInput[]; readonly rows: number } | { readonly kind: 'none' } | { readonly kind: 'error'; readonly error: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function flatten(data: unknown, out: unknown[]): void {
  if (Array.isArray(data)) for (const d of data) flatten(d, out);
  else out.push(data);
}

function v2Input(input: unknown, i: number): RequestInput | string {
  if (!isObject(input)) return `inputs[${i}] is not an object`;
  const name = typeof input.name === 'string' ? input.name : `input-${i}`;
  const shape = input.shape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) return `input '${name}' has no valid shape`;
  if (shape.length > 2) return `input '${name}' has shape [${shape.join(', ')}]: only [n] and [n, k] inputs have features`;
  const n = shape[0] as number;
  const width = shape.length === 2 ? (shape[1] as number) : 1;
  const data: unknown[] = [];
  flatten(input.data, data);
  if (data.length !== n * width) return `input '${name}' has ${data.length} values for shape [${shape.join(', ')}]`;
  const rows = Array.from({ length: n }, (_, r) => data.slice(r * width, (r + 1) * width));
  return { name, width, oneD: width === 1, rows };
}

function v1Inputs(instances: readonly unknown[]): RequestInput[] | string {
  if (instances.every((x) => Array.isArray(x))) {
    const width = (instances[0] as unknown[] | undefined)?.length ?? 0;
    if (!instances.every((x) => (x as unknown[]).length === width)) return 'the instances have different lengths';
    return [{ name: 'instances', width, oneD: width === 1, rows: instances.map((x) => (x as unknown[]).flat(Infinity)) }];
  }
  if (instances.every(isObject)) {
    const names = Object.keys(instances[0] ?? {});
    const inputs: RequestInput[] = [];
    for (const name of names) {
      const values = instances.map((x) => (x)[name]);
      if (values.every((v) => Array.isArray(v))) {
        const width = (values[0] as unknown[]).length;
        if (!values.every((v) => (v as unknown[]).length === width)) return `the instances' '${name}' have different lengths`;
        inputs.push({ name, width, oneD: width === 1, rows: values.map((v) => v as unknown[]) });
      } else inputs.push({ name, width: 1, oneD: true, rows: values.map((v) => [Array.isArray(v) ? null : v]) });
    }
    return inputs;
  }
  if (instances.every((x) => !Array.isArray(x) && !isObject(x))) return [{ name: 'instances', width: 1, oneD: true, rows: instances.map((x) => [x]) }];
  return 'the instances mix arrays, objects and values';
}

export function requestInputs(body: unknown): ParsedRequest {
  if (!isObject(body)) return { kind: 'none' };
  if (Array.isArray(body.inputs)) {
    const inputs: RequestInput[] = [];
    for (const [i, raw] of body.inputs.entries()) {
      const input = v2Input(raw, i);
      if (typeof input === 'string') return { kind: 'error', error: input };
      inputs.push(input);
    }
    if (inputs.length === 0) return { kind: 'error', error: 'the request has no inputs' };
    const rows = inputs[0]!.rows.length;
    if (!inputs.every((x) => x.rows.length === rows)) return { kind: 'error', error: `the inputs have different numbers of rows (${inputs.map((x) => x.rows.length).join(', ')})` };
    return { kind: 'inputs', inputs, rows };
  }
  if (Array.isArray(body.instances)) {
    const inputs = v1Inputs(body.instances);
    if (typeof inputs === 'string') return { kind: 'error', error: inputs };
    return { kind: 'inputs', inputs, rows: body.instances.length };
  }
  return { kind: 'none' };
}

/** The predictions of a response, one per row: v2 `outputs[0].data`, v1 `predictions`; undefined if none fit. */
export function responsePredictions(body: unknown, rows: number): readonly unknown[] | undefined {
  if (!isObject(body)) return undefined;
  let values: unknown[] | undefined;
  if (Array.isArray(body.outputs) && isObject(body.outputs[0])) {
    values = [];
    flatten(body.outputs[0].data, values);
  } else if (Array.isArray(body.predictions)) {
    values = (body.predictions as unknown[]).map((p): unknown => (Array.isArray(p) && p.length === 1 ? (p as unknown[])[0] : p));
  }
  return values !== undefined && values.length === rows && values.every((v) => !Array.isArray(v) && !isObject(v)) ? values : undefined;
}
