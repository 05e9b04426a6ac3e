import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mirrorSupport } from '../../../../src/traffic/gateway-api/mirror-support.ts';

const route = (percent?: number) => ({
  spec: { rules: [{ filters: [{ type: 'RequestMirror', requestMirror: { ...(percent !== undefined ? { percent } : {}) } }] }] },
});

test('no mirror asked for: no verdict', () => {
  assert.equal(mirrorSupport({ spec: { rules: [{}] } }, { spec: { rules: [{}] } }), undefined);
  assert.equal(mirrorSupport(undefined, undefined), undefined);
});

test('the percent survived the apply: mirror applied', () => {
  assert.equal(mirrorSupport(route(10), route(10))?.reason, 'MirrorApplied');
});

test('CRDs older than v1.3 prune percent: said so, with what happens instead', () => {
  const v = mirrorSupport(route(10), route());
  assert.equal(v?.status, 'False');
  assert.equal(v?.reason, 'MirrorPercentUnsupported');
  assert.match(v?.message ?? '', /every request/);
});
