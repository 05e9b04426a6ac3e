import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentMap } from '../../src/recent-map.ts';

test('past its bound the least recently set entry is forgotten; setting a key again makes it the newest', () => {
  const m = new RecentMap<string, number>(2);
  m.set('a', 1);
  m.set('b', 2);
  m.set('a', 3); // a is now newer than b
  m.set('c', 4);
  assert.equal(m.get('b'), undefined);
  assert.equal(m.get('a'), 3);
  assert.equal(m.get('c'), 4);
  assert.equal(m.size, 2);
  m.delete('a');
  assert.equal(m.get('a'), undefined);
  assert.equal(m.size, 1);
});
