import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SMOKE_SAMPLES, parseSmokeSamples } from '../../../src/validation/index.ts';

const source = { configMap: 'fraud-samples', key: 'samples.json' };
const failure = (value: string | undefined) => {
  const result = parseSmokeSamples(source, value);
  assert.equal(result.ok, false, `${value} is refused`);
  return result.ok ? '' : result.message;
};

test('a JSON array of objects is the list of request bodies, in order', () => {
  const bodies = [{ inputs: [{ name: 'a', shape: [1], datatype: 'FP32', data: [1] }] }, { dataframe_split: { columns: ['x'], data: [[1]] } }];
  assert.deepEqual(parseSmokeSamples(source, JSON.stringify(bodies)), { ok: true, samples: bodies });
  assert.deepEqual(parseSmokeSamples(source, ` [ {} ]\n`), { ok: true, samples: [{}] }, 'whitespace and an empty body are fine');
});

test('what is not a JSON array is refused, naming the ConfigMap and key', () => {
  assert.match(failure('[{"a": 1},'), /^ConfigMap fraud-samples key samples\.json is not a JSON array: .*JSON/);
  assert.equal(failure('{"inputs": []}'), 'ConfigMap fraud-samples key samples.json is not a JSON array: it holds an object');
  assert.equal(failure('"x"'), 'ConfigMap fraud-samples key samples.json is not a JSON array: it holds a string');
  assert.equal(failure('null'), 'ConfigMap fraud-samples key samples.json is not a JSON array: it holds null');
  assert.match(failure(''), /is not a JSON array: /);
});

test('a missing key, an empty array and too many samples are refused', () => {
  assert.equal(failure(undefined), 'ConfigMap fraud-samples has no key samples.json');
  assert.match(failure('[]'), /key samples\.json holds an empty array: give 1 to 100 request bodies$/);
  const many = JSON.stringify(Array.from({ length: MAX_SMOKE_SAMPLES + 1 }, () => ({})));
  assert.equal(failure(many), 'ConfigMap fraud-samples key samples.json holds 101 samples: at most 100');
  const result = parseSmokeSamples(source, JSON.stringify(Array.from({ length: MAX_SMOKE_SAMPLES }, () => ({}))));
  assert.equal(result.ok && result.samples.length, MAX_SMOKE_SAMPLES, 'exactly 100 are fine');
});

test('every item must be an object: the message gives its index', () => {
  assert.equal(failure('[{}, [1, 2]]'), 'ConfigMap fraud-samples key samples.json: sample 1 is not a JSON object (a request body): it is an array');
  assert.match(failure('[{}, {}, 3]'), /sample 2 is not a JSON object .*: it is a number$/);
  assert.match(failure('[null]'), /sample 0 .*: it is null$/);
});
