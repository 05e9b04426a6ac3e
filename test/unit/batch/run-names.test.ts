// Run names: deterministic, distinct per time and per ModelDeployment, and short enough for Job pods.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DNS_LABEL_MAX, MAX_NAME_LENGTH } from '../../../src/api/limits.ts';
import { MAX_RUN_NAME_LENGTH, MAX_SHARDS, manualRunName, scheduledRunName } from '../../../src/batch/run-names.ts';
import { isDns1123Label } from '../../../src/render/names.ts';

const mdName = fc.stringMatching(/^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/).filter((n) => n.length <= MAX_NAME_LENGTH);
const time = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true });

test('names carry the UTC time of the run', () => {
  assert.equal(scheduledRunName('fraud', new Date('2026-03-07T02:05:00+01:00')), 'fraud-202603070105');
  assert.equal(manualRunName('fraud', new Date('2026-03-07T01:05:09.700Z')), 'fraud-m20260307010509');
});

test('every name, and the name of its last pod, is a DNS label', () => {
  fc.assert(
    fc.property(mdName, time, (md, at) => {
      for (const name of [scheduledRunName(md, at), manualRunName(md, at)]) {
        assert.ok(name.length <= MAX_RUN_NAME_LENGTH, name);
        assert.ok(isDns1123Label(name), name);
        const pod = `${name}-${MAX_SHARDS - 1}-abcde`;
        assert.ok(pod.length <= DNS_LABEL_MAX && isDns1123Label(pod), pod);
      }
    }),
  );
});

test('the same time gives the same name; different minutes (or seconds, manually) do not', () => {
  fc.assert(
    fc.property(mdName, time, time, (md, a, b) => {
      assert.equal(scheduledRunName(md, a), scheduledRunName(md, new Date(a.getTime())));
      const sameMinute = Math.floor(a.getTime() / 60_000) === Math.floor(b.getTime() / 60_000);
      assert.equal(scheduledRunName(md, a) === scheduledRunName(md, b), sameMinute);
      const sameSecond = Math.floor(a.getTime() / 1000) === Math.floor(b.getTime() / 1000);
      assert.equal(manualRunName(md, a) === manualRunName(md, b), sameSecond);
    }),
  );
});

test('long names sharing a prefix still give different runs', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const a = 'a'.repeat(41) + 'b';
  const b = 'a'.repeat(41) + 'c';
  assert.notEqual(scheduledRunName(a, at), scheduledRunName(b, at));
  assert.notEqual(manualRunName(a, at), manualRunName(b, at));
  fc.assert(
    fc.property(mdName, mdName, time, (x, y, t) => {
      fc.pre(x !== y);
      assert.notEqual(scheduledRunName(x, t), scheduledRunName(y, t));
    }),
  );
});

test('scheduled and manual runs never share a name', () => {
  fc.assert(fc.property(mdName, time, time, (md, a, b) => assert.notEqual(scheduledRunName(md, a), manualRunName(md, b))));
});
