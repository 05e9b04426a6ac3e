// The cached fieldsV1 text has the owner's uid taken out and put back: the same text, whatever the uid holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cachedFieldsText, ownedFieldsText } from '../../../src/controller/cached-fields-text.ts';

void test("any owner uid, `$` patterns included, is taken out of the cached text and put back as it was", () => {
  fc.assert(
    fc.property(fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('$&', "$'", '$$', '$1', 'a$`b')), fc.jsonValue({ maxDepth: 2 }), (uid, other) => {
      const fieldsV1 = { 'f:metadata': { 'f:ownerReferences': { [`k:{"uid":${JSON.stringify(uid)}}`]: {} } }, 'f:spec': { 'f:x': other } };
      const meta = { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid, controller: true }] };
      const cached = cachedFieldsText(fieldsV1, uid);
      assert.equal(ownedFieldsText({ manager: 'modelship', fieldsV1: cached }, meta), JSON.stringify(fieldsV1));
    }),
  );
});
