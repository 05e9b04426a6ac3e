import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../../src/cli/args.ts';
import { formatStatus, previousGoodRevision } from '../../../src/cli/format-status.ts';
import { render, validate } from '../../../src/cli/offline.ts';
import { readFileSync } from 'node:fs';

test('verbs, names and kubectl-style flags parse', () => {
  assert.deepEqual(parseArgs(['promote', 'fraud', '-n', 'risk']), { ok: true, args: { command: { verb: 'promote', name: 'fraud' }, namespace: 'risk', output: 'text' } });
  assert.deepEqual(parseArgs(['rollback', 'fraud', '--to-revision=3']), { ok: true, args: { command: { verb: 'rollback', name: 'fraud', toRevision: 3 }, output: 'text' } });
  assert.deepEqual(parseArgs(['validate', '-f', 'a.yaml', '-f', 'b.yaml']), { ok: true, args: { command: { verb: 'validate', files: ['a.yaml', 'b.yaml'] }, output: 'text' } });
  assert.deepEqual(parseArgs(['status', 'x', '-o', 'json', '--kubeconfig', '/k']), { ok: true, args: { command: { verb: 'status', name: 'x' }, kubeconfig: '/k', output: 'json' } });
});

test('bad usage is an error with a message, never a throw', () => {
  for (const argv of [['promote'], ['frobnicate', 'x'], ['status', 'x', '--bogus'], ['rollback', 'x', '--to-revision', 'zero'], ['render'], ['status', 'x', '-o', 'xml'], ['status', 'x', 'y'], ['status', 'x', '-n']]) {
    const r = parseArgs(argv);
    assert.equal(r.ok, false, argv.join(' '));
    if (!r.ok) assert.ok(r.error.length > 5);
  }
});

test('status text shows versions, step, traffic, conditions and history', () => {
  const text = formatStatus({
    metadata: { name: 'fraud', namespace: 'risk', generation: 4 },
    spec: { model: { version: '8' }, rollout: { steps: [{}, {}, {}] } },
    status: {
      observedGeneration: 4,
      stable: { version: '7', revision: 3 },
      canary: { version: '8', revision: 4, step: 1, phase: 'Paused' },
      traffic: [{ variant: 'stable', weight: 90, exact: false }, { variant: 'canary', weight: 10, exact: false }],
      conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'ok' }],
      history: [{ revision: 3, version: '7', outcome: 'Promoted', at: '2026-01-01T00:00:00Z' }],
    },
  });
  assert.match(text, /Stable: +version 7 \(revision 3\)/);
  assert.match(text, /Canary: +version 8 \(revision 4\), step 2\/3, Paused/);
  assert.match(text, /stable 90% \(approximate\), canary 10% \(approximate\)/);
  assert.match(text, /revision 3 +version 7 +Promoted/);
});

test('rollback defaults to the newest promoted revision that is not stable', () => {
  const md = { status: { stable: { revision: 5 }, history: [{ revision: 5, outcome: 'Promoted' }, { revision: 4, outcome: 'Aborted' }, { revision: 3, outcome: 'Promoted' }] } };
  assert.equal(previousGoodRevision(md), 3);
  assert.equal(previousGoodRevision({ status: { stable: { revision: 1 }, history: [{ revision: 1, outcome: 'Promoted' }] } }), undefined);
});

test('validate and render work offline on the examples; invalid input lists field paths', () => {
  const text = readFileSync(new URL('../../../examples/mlserver-sklearn.yaml', import.meta.url), 'utf8');
  assert.equal(validate([{ name: 'a', text }]).ok, true);
  const rendered = render([{ name: 'a', text }], 'ns');
  assert.equal(rendered.ok, true);
  assert.match(rendered.stdout, /kind: Deployment/);
  assert.match(rendered.stdout, /namespace: ns/);
  const bad = validate([{ name: 'bad', text: 'kind: ModelDeployment\nmetadata: {name: x}\nspec: {model: {version: 7}}\n' }]);
  assert.equal(bad.ok, false);
  assert.match(bad.stderr, /spec\.model\.version/);
  assert.equal(validate([{ name: 'empty', text: 'kind: ConfigMap\n' }]).ok, false);
});

test('batch run <name> parses; other batch forms are usage errors', () => {
  assert.deepEqual(parseArgs(['batch', 'run', 'scoring', '-n', 'risk']), { ok: true, args: { command: { verb: 'batch-run', name: 'scoring' }, namespace: 'risk', output: 'text' } });
  for (const argv of [['batch'], ['batch', 'run'], ['batch', 'go', 'x'], ['batch', 'run', 'x', 'y']]) {
    const r = parseArgs(argv);
    assert.equal(r.ok, false, argv.join(' '));
    if (!r.ok) assert.ok(r.error.length > 5);
  }
});

test('render of a batch ModelDeployment applies no serving objects and says runs come later', () => {
  const manifest = `apiVersion: modelship.io/v1alpha1
kind: ModelDeployment
metadata: {name: scoring}
spec:
  mode: batch
  model: {name: iris, version: "1", uri: "s3://models/iris/1", format: sklearn}
  runtime: {preset: mlserver}
  batch:
    input: {uri: "s3://data/in/", format: jsonl}
    output: {uri: "s3://data/out/"}
    schedule: "0 2 * * *"
`;
  const result = render([{ name: 'batch.yaml', text: manifest }]);
  assert.equal(result.ok, true, result.stderr);
  assert.doesNotMatch(result.stdout, /kind: (Deployment|Service|Job|HorizontalPodAutoscaler)\n/);
  assert.match(result.stderr, /scoring.*mode batch.*on schedule "0 2 \* \* \*"/);
});
