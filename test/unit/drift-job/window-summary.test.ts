// A window's records into feature values: only records inside the window that are successful POSTs with
// an inference body count; the rest are counted by reason; counts are exact and match the raw values'.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { categoricalProfile } from '../../../src/drift/categorical-profile.ts';
import { DEFAULT_DRIFT_SETTINGS } from '../../../src/drift/drift-verdict.ts';
import { binCounts, numericProfile } from '../../../src/drift/numeric-profile.ts';
import { WindowSummary } from '../../../src/drift-job/window-summary.ts';
import { seededRandom } from '../../../src/drift-job/seeded-random.ts';

const random = seededRandom(3);
const ref = Array.from({ length: 500 }, (_, i) => i / 50);
const features = [{ name: 'a', profile: numericProfile(ref, random) }, { name: 'b', profile: numericProfile(ref, random) }];
const target = { name: 'label', profile: categoricalProfile(['x', 'y', 'y']) };
const window = { startMs: Date.parse('2026-03-01T11:30:00Z'), endMs: Date.parse('2026-03-01T12:30:00Z') };

const line = (over: Record<string, unknown>) =>
  JSON.stringify({
    requestId: 'r', time: '2026-03-01T12:00:00.000Z', method: 'POST', status: 200,
    request: { inputs: [{ name: 'input-0', shape: [2, 2], datatype: 'FP64', data: [1, 2, 3, 4] }] },
    response: { outputs: [{ name: 'p', shape: [2], datatype: 'BYTES', data: ['x', 'z'] }] },
    ...over,
  });

test('records are filtered by time, status, method and body, and their rows counted exactly', () => {
  const summary = new WindowSummary(features, target, undefined, window, DEFAULT_DRIFT_SETTINGS, 's');
  summary.addLine(line({}), 'f');
  summary.addLine(line({ time: '2026-03-01T12:30:00.000Z' }), 'f'); // at the end: outside
  summary.addLine(line({ time: '2026-03-01T11:29:59.000Z' }), 'f');
  summary.addLine(line({ status: 503 }), 'f');
  summary.addLine(line({ method: 'GET' }), 'f');
  summary.addLine(line({ request: '{"inputs":[{"na' }), 'f'); // cut by the agent
  summary.addLine(line({ request: { parameters: {} } }), 'f');
  summary.addLine('not json', 'f');
  summary.addLine('', 'f');
  summary.addLine(line({ request: { inputs: [{ name: 'input-0', shape: [1, 2], data: [5, 'text'] }] }, response: { outputs: [] } }), 'f');
  assert.deepEqual(summary.read, { files: 0, records: 6, used: 2, rows: 3, skipped: { notSuccessful: 2, notInference: 1, unreadable: 2 } });
  const { features: inputs, predictions } = summary.inputs();
  const a = inputs[0]!.current as { kind: string; count: number; counts: number[]; sample: number[] };
  assert.equal(a.kind, 'numeric-window');
  assert.deepEqual(a.counts, binCounts(features[0]!.profile.edges, [1, 3, 5]));
  assert.deepEqual([...a.sample].sort(), [1, 3, 5]);
  assert.equal((inputs[1]!.current as { count: number }).count, 2, "'text' is not a value of a numeric feature");
  assert.deepEqual(predictions?.current, { kind: 'categorical-window', counts: [0, 1, 1] }, 'y (none), x, then "other" for z');
  assert.deepEqual([...summary.missing()], [['a', 0], ['b', 1], ['label', 1]]);
});

test('requests that map to no features stop the check with the message to set the features', () => {
  const summary = new WindowSummary(features, undefined, undefined, window, DEFAULT_DRIFT_SETTINGS, 's');
  assert.throws(() => summary.addLine(line({ request: { inputs: [{ name: 'wide', shape: [1, 3], data: [1, 2, 3] }] } }), 'f'), /set spec\.monitoring\.drift\.features/);
  assert.throws(() => summary.addLine(line({ request: { inputs: [{ name: 'img', shape: [1, 2, 2], data: [1, 2, 3, 4] }] } }), 's3://l/k.jsonl'), /s3:\/\/l\/k\.jsonl: request r: .*only \[n\] and \[n, k\]/);
  const mapped = new WindowSummary(features, undefined, [{ name: 'a', input: 'wide', index: 2 }, { name: 'b', input: 'wide', index: 0 }], window, DEFAULT_DRIFT_SETTINGS, 's');
  mapped.addLine(line({ request: { inputs: [{ name: 'wide', shape: [1, 3], data: [1, 2, 3] }] } }), 'f');
  assert.deepEqual(mapped.inputs().features.map((f) => (f.current as unknown as { sample: number[] }).sample), [[3], [1]]);
});
