// Properties of render over arbitrary valid ModelDeployments: it never throws, every name is a
// DNS-1123 label of at most 63 characters, every label value is valid, and output is stable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatFieldErrors, parseModelDeployment } from '../../../src/api/index.ts';
import { renderModelDeployment } from '../../../src/render/index.ts';
import type { ChildObject } from '../../../src/render/index.ts';
import { toYamlStream } from '../../../src/yaml.ts';
import { modelDeploymentManifest } from '../../fixtures/arbitrary-model-deployment.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function assertLabels(labels: Record<string, string> | undefined, where: string): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    assert.ok(value.length <= 63 && LABEL_VALUE.test(value), `${where}: label ${key}=${JSON.stringify(value)}`);
  }
}

function assertName(name: string, where: string): void {
  assert.ok(name.length <= 63 && DNS1123_LABEL.test(name), `${where}: name ${JSON.stringify(name)}`);
}

function checkObject(o: ChildObject): void {
  const where = `${o.kind}/${o.metadata.name}`;
  assertName(o.metadata.name, where);
  assertLabels(o.metadata.labels, where);
  if (o.kind === 'Service') {
    assert.ok(DNS1035_LABEL.test(o.metadata.name), `${where}: Service names start with a letter`);
    assertLabels(o.spec?.selector, `${where} selector`);
  }
  if (o.kind === 'Deployment' || o.kind === 'PodDisruptionBudget') assertLabels(o.spec?.selector?.matchLabels, `${where} selector`);
  if (o.kind === 'Deployment') {
    const template = o.spec!.template;
    assertLabels(template.metadata?.labels, `${where} template`);
    const pod = template.spec!;
    for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
      assertName(c.name, `${where} container`);
      for (const p of c.ports ?? []) assert.ok(p.name && p.name.length <= 15 && IANA_SVC_NAME.test(p.name), `${where} port`);
    }
    for (const v of pod.volumes ?? []) assertName(v.name, `${where} volume`);
    for (const ref of [pod.volumes?.flatMap((v) => (v.configMap?.name ? [v.configMap.name] : [])) ?? []].flat()) {
      assertName(ref, `${where} configMap ref`);
    }
  }
  if (o.kind === 'HorizontalPodAutoscaler') assertName(o.spec.scaleTargetRef.name, `${where} target`);
}

void test('render never throws on valid input and yields valid names and labels', () => {
  fc.assert(
    fc.property(modelDeploymentManifest, (manifest) => {
      const parsed = parseModelDeployment(manifest);
      assert.ok(parsed.ok, parsed.ok ? '' : formatFieldErrors(parsed.errors));
      const result = renderModelDeployment(parsed.value);
      if (!result.ok) {
        // The only rejection left for valid input: an overridden port that a preset default takes.
        assert.equal(result.error.code, 'PortConflict', result.error.message);
        return;
      }
      const kinds = result.objects.map((o) => o.kind);
      assert.ok(kinds.includes('Deployment') && kinds.includes('Service'));
      for (const o of result.objects) checkObject(o);
      const names = result.objects.map((o) => `${o.kind}/${o.metadata.name}`);
      assert.equal(new Set(names).size, names.length, 'two children share kind and name');
    }),
    { numRuns: 300 },
  );
});

void test('render is byte-for-byte deterministic', () => {
  fc.assert(
    fc.property(modelDeploymentManifest, (manifest) => {
      const first = parseModelDeployment(manifest);
      const second = parseModelDeployment(structuredClone(manifest));
      assert.ok(first.ok && second.ok);
      const a = renderModelDeployment(first.value);
      const b = renderModelDeployment(second.value);
      assert.equal(JSON.stringify(a), JSON.stringify(b));
      if (a.ok && b.ok) assert.equal(toYamlStream(a.objects), toYamlStream(b.objects));
    }),
    { numRuns: 100 },
  );
});
