import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { treeCopy } from '../../src/tree-copy.ts';
import { objectsIn } from '../support/objects-in.ts';

// JSON trees (arrays with holes too), with keys whose value is undefined (an optional field a renderer left unset) and own keys named __proto__.
const trees = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), tie('array'), tie('object')),
  array: fc.oneof(fc.array(tie('tree'), { maxLength: 4 }), fc.sparseArray(tie('tree'), { maxLength: 4 })),
  object: fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constant('__proto__')), fc.oneof(tie('tree'), fc.constant(undefined)), { maxKeys: 4 }),
})).tree;

void test('treeCopy: structuredClone\'s copy of any JSON tree, sharing no array or object with it', () => {
  fc.assert(
    fc.property(trees, (tree) => {
      const copy = treeCopy(tree);
      assert.deepStrictEqual(copy, structuredClone(tree));
      const shared = [...objectsIn(copy)].filter((o) => objectsIn(tree).has(o));
      assert.deepEqual(shared, []);
    }),
  );
});

void test('treeCopy: a value that is not a plain object or array is copied as structuredClone copies it', () => {
  const when = new Date('2026-01-02T03:04:05Z');
  const copy = treeCopy({ when, list: [new Map([['a', 1]])] });
  assert.ok(copy.when instanceof Date && copy.when !== when && copy.when.getTime() === when.getTime());
  assert.deepEqual(copy.list[0], new Map([['a', 1]]));
});
