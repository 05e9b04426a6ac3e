import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { byteRanges } from '../../../src/fetcher/download.ts';

test('byte ranges cover the object exactly once, in order, none longer than asked', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 3000 }), (size, rangeBytes) => {
      const ranges = byteRanges(size, rangeBytes);
      let at = 0;
      for (const r of ranges) {
        assert.equal(r.start, at);
        assert.ok(r.end > r.start && r.end - r.start <= rangeBytes);
        at = r.end;
      }
      assert.equal(at, size);
      assert.equal(ranges.length, Math.ceil(size / rangeBytes));
    }),
  );
});
