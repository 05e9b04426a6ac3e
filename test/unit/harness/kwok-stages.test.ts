import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadAll } from 'js-yaml';
import { kwokStagesYaml, SERVING_ANNOTATION } from '../../cluster/kwok-stages.ts';

interface Stage {
  metadata: { name: string };
  spec: { selector: { matchExpressions: { key: string; operator: string; values?: string[] }[] }; next: { statusTemplate?: string } };
}

const stages = (yaml: string) => loadAll(yaml) as Stage[];

test('without a data path the stages are kwok/stages.yaml unchanged', () => {
  const source = kwokStagesYaml({ servedReadiness: false });
  assert.equal(kwokStagesYaml({ servedReadiness: false }), source);
  assert.ok(stages(source).some((s) => s.metadata.name === 'pod-ready'));
  assert.ok(!stages(source).some((s) => s.metadata.name === 'pod-start-unready'));
});

test('on a data path a model-server pod starts Running but not Ready, and becomes Ready once served', () => {
  const gated = stages(kwokStagesYaml({ servedReadiness: true }));
  const names = gated.map((s) => s.metadata.name);
  assert.deepEqual(names.filter((n) => n.startsWith('pod-')).slice(0, 2), ['pod-start-unready', 'pod-ready']);
  assert.equal(names.length, stages(kwokStagesYaml({ servedReadiness: false })).length + 1);

  const start = gated.find((s) => s.metadata.name === 'pod-start-unready')!;
  const template = start.spec.next.statusTemplate ?? '';
  assert.match(template, /phase: Running/);
  assert.match(template, /podIP:/);
  assert.match(template, /status: "False"\n\s+type: Ready\n/);
  assert.match(template, /status: "False"\n\s+type: ContainersReady\n/);
  assert.doesNotMatch(template, /ready: true/);
  assert.ok(start.spec.selector.matchExpressions.some((e) => e.key.includes('modelship.io/model-deployment') && e.values?.[0] === 'true'));

  const ready = gated.find((s) => s.metadata.name === 'pod-ready')!;
  const phase = ready.spec.selector.matchExpressions.find((e) => e.key === '.status.phase');
  assert.deepEqual(phase?.values, ['Pending', 'Running']);
  assert.ok(ready.spec.selector.matchExpressions.some((e) => e.key.includes(SERVING_ANNOTATION)));
  assert.match(ready.spec.next.statusTemplate ?? '', /status: "True"\n\s+type: Ready\n/);
  // The IP assigned at start is kept: pod-ready only assigns one to a pod that has none.
  assert.match(ready.spec.next.statusTemplate ?? '', /\{\{ if not \.status\.podIP \}\}/);
});
