// From logged request bodies to feature values: OIP v2 and v1 bodies as inputs of rows, the default
// mapping rules and spec.monitoring.drift.features, the errors that tell to set it, and predictions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveMapping, shapeKey } from '../../../src/drift-job/feature-mapping.ts';
import { requestInputs, responsePredictions, type RequestInput } from '../../../src/drift-job/request-inputs.ts';

const inputsOf = (body: unknown): readonly RequestInput[] => {
  const parsed = requestInputs(body);
  assert.equal(parsed.kind, 'inputs', JSON.stringify(parsed));
  return parsed.kind === 'inputs' ? parsed.inputs : [];
};

/** The rows of feature values a body gives under a mapping. */
function featureRows(body: unknown, features: readonly string[], specs?: Parameters<typeof resolveMapping>[2]): unknown[][] | string {
  const inputs = inputsOf(body);
  const mapping = resolveMapping(inputs, features, specs);
  if (typeof mapping === 'string') return mapping;
  const byName = new Map(inputs.map((x) => [x.name, x]));
  const rows = inputs[0]!.rows.length;
  return Array.from({ length: rows }, (_, r) => mapping.map((m) => byName.get(m.input)!.rows[r]![m.index]));
}

const REF = ['a', 'b', 'c'];

test('v2: one [n, k] input as wide as the reference maps in column order; nested or flat data', () => {
  const flat = { inputs: [{ name: 'input-0', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] }] };
  assert.deepEqual(featureRows(flat, REF), [[1, 2, 3], [4, 5, 6]]);
  const nested = { inputs: [{ name: 'x', shape: [2, 3], datatype: 'FP32', data: [[1, 2, 3], [4, 5, 6]] }] };
  assert.deepEqual(featureRows(nested, REF), [[1, 2, 3], [4, 5, 6]]);
});

test('v2: several 1-D inputs ([n] or [n, 1]) map by name, in any order, extra inputs ignored', () => {
  const body = {
    inputs: [
      { name: 'c', shape: [2], datatype: 'BYTES', data: ['x', 'y'] },
      { name: 'extra', shape: [2], datatype: 'FP32', data: [0, 0] },
      { name: 'a', shape: [2, 1], datatype: 'FP32', data: [1, 2] },
      { name: 'b', shape: [2], datatype: 'FP32', data: [3, 4] },
    ],
  };
  assert.deepEqual(featureRows(body, REF), [[1, 3, 'x'], [2, 4, 'y']]);
});

test('spec.monitoring.drift.features: input and index pick each value; the only input is the default', () => {
  const body = { inputs: [{ name: 'left', shape: [1, 2], datatype: 'FP32', data: [1, 2] }, { name: 'right', shape: [1], datatype: 'FP32', data: [9] }] };
  assert.deepEqual(featureRows(body, REF, [{ name: 'a', input: 'left', index: 1 }, { name: 'b', input: 'right' }, { name: 'c', input: 'left', index: 0 }]), [[2, 9, 1]]);
  const one = { inputs: [{ name: 'only', shape: [1, 5], datatype: 'FP32', data: [10, 11, 12, 13, 14] }] };
  assert.deepEqual(featureRows(one, REF, [{ name: 'a', index: 4 }, { name: 'b', index: 0 }, { name: 'c', index: 2 }]), [[14, 10, 12]]);
});

test('ambiguous or impossible mappings are errors that tell what to set', () => {
  const wrongWidth = { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] };
  assert.match(featureRows(wrongWidth, REF) as string, /'input-0' \(4 values a row\) do not map to the reference's 3 feature columns \(a, b, c\): set spec\.monitoring\.drift\.features/);
  const twoWide = { inputs: [{ name: 'a', shape: [1, 2], datatype: 'FP32', data: [1, 2] }, { name: 'b', shape: [1], datatype: 'FP32', data: [3] }] };
  assert.match(featureRows(twoWide, ['a', 'b']) as string, /set spec\.monitoring\.drift\.features/);
  const missingName = { inputs: [{ name: 'a', shape: [1], datatype: 'FP32', data: [1] }, { name: 'b', shape: [1], datatype: 'FP32', data: [2] }] };
  assert.match(featureRows(missingName, REF) as string, /set spec\.monitoring\.drift\.features/);
  assert.match(featureRows(twoWide, REF, [{ name: 'a' }]) as string, /names no input and the request has 2.*set its input/);
  assert.match(featureRows(twoWide, REF, [{ name: 'a', input: 'a' }]) as string, /has no index but input 'a' has 2 values a row; set its index/);
  assert.match(featureRows(twoWide, REF, [{ name: 'a', input: 'a', index: 2 }]) as string, /index 2 of input 'a', which has 2 values a row/);
  assert.match(featureRows(twoWide, REF, [{ name: 'a', input: 'z' }]) as string, /reads input 'z', which the request does not have/);
});

test('v1: instances as arrays are one input; as objects one input per key; rows are the instances', () => {
  assert.deepEqual(featureRows({ instances: [[1, 2, 3], [4, 5, 6]] }, REF), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(featureRows({ instances: [{ c: 'x', a: 1, b: 2 }, { c: 'y', a: 3, b: 4 }] }, REF), [[1, 2, 'x'], [3, 4, 'y']]);
  assert.deepEqual(featureRows({ instances: [{ pixels: [1, 2, 3] }] }, REF), [[1, 2, 3]], 'one object key of width 3 maps in order');
  assert.deepEqual(featureRows({ instances: [7, 8] }, ['only']), [[7], [8]]);
  assert.match(featureRows({ instances: [[1, 2]] }, REF) as string, /set spec\.monitoring\.drift\.features/);
});

test('bodies that are no inference request, and malformed ones', () => {
  assert.equal(requestInputs('not json').kind, 'none');
  assert.equal(requestInputs({ parameters: {} }).kind, 'none');
  assert.equal(requestInputs(null).kind, 'none');
  const bad = (body: unknown) => {
    const parsed = requestInputs(body);
    return parsed.kind === 'error' ? parsed.error : `not an error: ${parsed.kind}`;
  };
  assert.match(bad({ inputs: [{ name: 'x', shape: [2, 3], data: [1, 2, 3] }] }), /3 values for shape \[2, 3\]/);
  assert.match(bad({ inputs: [{ name: 'img', shape: [1, 2, 2], data: [1, 2, 3, 4] }] }), /only \[n\] and \[n, k\] inputs/);
  assert.match(bad({ inputs: [{ name: 'a', shape: [2], data: [1, 2] }, { name: 'b', shape: [1], data: [1] }] }), /different numbers of rows/);
  assert.match(bad({ instances: [[1, 2], [3]] }), /different lengths/);
  assert.match(bad({ instances: [[1], { a: 1 }] }), /mix/);
});

test('a mapping is cached per request shape: same names and widths, same key', () => {
  const a = inputsOf({ inputs: [{ name: 'x', shape: [1, 3], data: [1, 2, 3] }] });
  const b = inputsOf({ inputs: [{ name: 'x', shape: [5, 3], data: new Array(15).fill(0) }] });
  const c = inputsOf({ inputs: [{ name: 'x', shape: [1, 4], data: [1, 2, 3, 4] }] });
  assert.equal(shapeKey(a), shapeKey(b));
  assert.notEqual(shapeKey(a), shapeKey(c));
});

test('predictions: v2 outputs[0].data and v1 predictions, one per row, or none', () => {
  assert.deepEqual(responsePredictions({ outputs: [{ name: 'p', shape: [2, 1], data: [0, 2] }, { name: 'proba', shape: [2, 3], data: [1, 0, 0, 0, 0, 1] }] }, 2), [0, 2]);
  assert.deepEqual(responsePredictions({ predictions: ['setosa', 'virginica'] }, 2), ['setosa', 'virginica']);
  assert.deepEqual(responsePredictions({ predictions: [[1], [0]] }, 2), [1, 0]);
  assert.equal(responsePredictions({ outputs: [{ name: 'proba', shape: [2, 3], data: [1, 0, 0, 0, 0, 1] }] }, 2), undefined, 'six values for two rows');
  assert.equal(responsePredictions({ predictions: [[0.1, 0.9]] }, 1), undefined);
  assert.equal(responsePredictions('upstream error', 1), undefined);
});
