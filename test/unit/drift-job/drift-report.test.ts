// The report and the termination message: features ranked drifting first then by effect size, the message
// one line of at most 3 KiB whatever the feature names, cut in its feature list and never in its verdict.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_DRIFT_SETTINGS, type FeatureDrift } from '../../../src/drift/drift-verdict.ts';
import { buildReport, MAX_TERMINATION_BYTES, terminationMessage, type ReportInputs } from '../../../src/drift-job/drift-report.ts';

const feature = (name: string, psi: number, verdict: FeatureDrift['verdict']): FeatureDrift => ({
  name, test: 'ks', currentCount: 500, statistic: 0.1, pValue: 0.01, adjustedPValue: 0.02, psi, jensenShannon: psi / 2, verdict,
});

const inputs = (features: FeatureDrift[], predictions: FeatureDrift | null = null): ReportInputs => ({
  verdict: features.some((f) => f.verdict === 'Drift') ? 'Drift' : 'NoDrift',
  features,
  predictions,
  settings: DEFAULT_DRIFT_SETTINGS,
  windowStart: '2026-03-01T11:30:00.000Z',
  windowEnd: '2026-03-01T12:30:00.000Z',
  namespace: 'ns',
  model: 'iris',
  version: '3',
  profile: 's3://logs/p.json',
  read: { files: 2, records: 10, used: 10, rows: 812, skipped: { notSuccessful: 0, notInference: 0, unreadable: 0 } },
  missing: new Map(),
  createdAt: '2026-03-01T12:31:00.000Z',
});

test('the top 5 features, drifting first, then by effect size; the status fields only', () => {
  const features = [feature('a', 0.01, 'NoDrift'), feature('b', 0.5, 'NoDrift'), feature('c', 0.1, 'Drift'), feature('d', 0.3, 'Drift'), feature('e', 0.001, 'NoDrift'), feature('f', 0.2, 'NoDrift'), feature('g', 0.002, 'Inconclusive')];
  const message = JSON.parse(terminationMessage(inputs(features, { ...feature('species', 0.05, 'NoDrift'), test: 'chi2' }), 's3://logs/r.json')) as Record<string, unknown>;
  assert.equal(message.verdict, 'Drift');
  assert.equal(message.samples, 812);
  assert.equal(message.report, 's3://logs/r.json');
  const listed = message.features as Record<string, unknown>[];
  assert.deepEqual(listed.map((f) => f.name), ['d', 'c', 'b', 'f', 'a']);
  assert.deepEqual(Object.keys(listed[0]!), ['name', 'test', 'statistic', 'pValue', 'adjustedPValue', 'effectSize', 'verdict']);
  assert.equal(listed[0]!.effectSize, 0.3);
  assert.deepEqual(message.predictions, { test: 'chi2', statistic: 0.1, pValue: 0.01, effectSize: 0.05, verdict: 'NoDrift' });
  // Jensen–Shannon as the measure reports its distance as the effect size.
  const js = JSON.parse(terminationMessage({ ...inputs(features), settings: { ...DEFAULT_DRIFT_SETTINGS, effectSize: 'jensenShannon' } }, 's3://r')) as { features: { effectSize: number }[] };
  assert.equal(js.features[0]!.effectSize, 0.15);
});

test('long names: the message stays one line within 3 KiB, dropping features, never the verdict', () => {
  const features = Array.from({ length: 64 }, (_, i) => feature(`${'f'.repeat(500)}-${i}`, i / 100, i % 2 === 0 ? 'Drift' : 'NoDrift'));
  const longReport = `s3://logs/${'r'.repeat(1400)}.json`;
  const text = terminationMessage(inputs(features, feature('target', 0.5, 'Drift')), longReport);
  assert.ok(Buffer.byteLength(text) <= MAX_TERMINATION_BYTES, `${Buffer.byteLength(text)} bytes`);
  assert.ok(!text.includes('\n'));
  const message = JSON.parse(text) as { verdict: string; features: { name: string; verdict: string }[]; report: string; predictions: unknown };
  assert.equal(message.verdict, 'Drift');
  assert.equal(message.report, longReport);
  // Names are cut to 128 characters, so the top 5 fit beside the longest report URI the arguments allow.
  assert.equal(message.features.length, 5);
  assert.ok(message.features.every((f) => f.name.length <= 128 && f.verdict === 'Drift'));
  assert.notEqual(message.predictions, null);
  const cut = JSON.parse(terminationMessage(inputs(features), longReport, 2200)) as { verdict: string; features: unknown[] };
  assert.ok(cut.features.length >= 1 && cut.features.length < 5, `${cut.features.length} features`);
  // With a smaller bound still, the list empties before anything else goes.
  const tight = JSON.parse(terminationMessage(inputs(features), longReport, 1700)) as { verdict: string; features: unknown[] };
  assert.equal(tight.verdict, 'Drift');
  assert.deepEqual(tight.features, []);
});

test('the report keeps every feature with its effect size and missing values', () => {
  const features = Array.from({ length: 12 }, (_, i) => feature(`f${i}`, i / 100, 'NoDrift'));
  const report = buildReport({ ...inputs(features), missing: new Map([['f3', 7]]) }) as { features: { name: string; effectSize: number; missing: number }[]; apiVersion: string; samples: number };
  assert.equal(report.apiVersion, 'modelship.io/drift-report/v1');
  assert.equal(report.features.length, 12);
  assert.equal(report.samples, 812);
  assert.equal(report.features.find((f) => f.name === 'f3')?.missing, 7);
  assert.equal(report.features[0]?.name, 'f11');
});
