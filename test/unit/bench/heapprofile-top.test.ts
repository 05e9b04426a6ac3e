// The allocation summary of a sampling heap profile: by function, by itself and with its callees.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocations, type HeapProfile } from '../../../bench/heapprofile-top.ts';

const frame = (functionName: string, url: string, lineNumber: number) => ({ functionName, url, lineNumber });

void test('bytes by function, by itself and with its callees; a recursive function counts each sample once', () => {
  const profile: HeapProfile = {
    head: {
      callFrame: frame('(root)', '', -1),
      selfSize: 0,
      children: [
        {
          callFrame: frame('reconcile', 'file:///repo/src/controller/reconcile.ts', 29),
          selfSize: 100,
          children: [
            { callFrame: frame('sortedCopy', 'file:///repo/src/controller/apply-decision.ts', 22), selfSize: 300, children: [{ callFrame: frame('sortedCopy', 'file:///repo/src/controller/apply-decision.ts', 22), selfSize: 50, children: [] }] },
            { callFrame: frame('', 'node:internal/streams/readable', 469), selfSize: 20, children: [] },
          ],
        },
        { callFrame: frame('sortedCopy', 'file:///repo/src/controller/apply-decision.ts', 22), selfSize: 30, children: [] },
      ],
    },
  };
  const { total, self, inclusive } = allocations(profile, '/repo');
  assert.equal(total, 500);
  assert.equal(self.get('sortedCopy src/controller/apply-decision.ts:23'), 380);
  assert.equal(self.get('(anonymous) node:internal/streams/readable:470'), 20);
  assert.equal(inclusive.get('reconcile src/controller/reconcile.ts:30'), 470);
  assert.equal(inclusive.get('sortedCopy src/controller/apply-decision.ts:23'), 380);
  assert.equal(inclusive.get('(root) (native):0'), 500);
});
