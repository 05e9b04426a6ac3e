// The interner hands out equal strings and stays bounded, whatever it is given.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StringInterner } from '../../../src/kube/string-interner.ts';

void test('an interned string equals the one given', () => {
  const strings = new StringInterner(4);
  for (const s of ['a', 'modelship.io/v1alpha1', '', 'a', 'x'.repeat(1000)]) assert.equal(strings.intern(s), s);
  assert.equal(strings.intern(['model', 'ship'].join('-')), 'model-ship');
});

void test('the table holds at most two generations: one-off strings are let go', () => {
  const strings = new StringInterner(100);
  for (let i = 0; i < 10_000; i++) strings.intern(`uid-${i}`);
  assert.ok(strings.size <= 200, `${strings.size} strings held`);
  assert.ok(strings.size > 100);
});

void test('a string still in use moves to the new generation and stays', () => {
  const strings = new StringInterner(10);
  strings.intern('apps/v1');
  for (let i = 0; i < 100; i++) {
    strings.intern(`once-${i}`);
    strings.intern('apps/v1');
  }
  const before = strings.size;
  assert.equal(strings.intern('apps/v1'), 'apps/v1');
  assert.equal(strings.size, before, 'apps/v1 was still in the table');
});
