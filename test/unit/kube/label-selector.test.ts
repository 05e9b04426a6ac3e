import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLabelSelector, selects, type LabelRequirement } from '../../../src/kube/label-selector.ts';

const KEY = 'sharding.modelship.io/key';

function requirements(text: string): readonly LabelRequirement[] {
  const parsed = parseLabelSelector(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.requirements;
}

function problem(text: string): string {
  const parsed = parseLabelSelector(text);
  assert.ok(!parsed.ok, `${text} should not parse`);
  return parsed.error;
}

void test('every operator of the API server, normalized as it prints them', () => {
  const cases: [string, string][] = [
    ['', ''],
    [`${KEY}=shard1`, `${KEY}=shard1`],
    [`${KEY} == shard1`, `${KEY}=shard1`],
    [`${KEY}!=shard1`, `${KEY}!=shard1`],
    [`${KEY}=`, `${KEY}=`],
    [`${KEY} in (shard2, shard1)`, `${KEY} in (shard1,shard2)`],
    [`${KEY} notin (shard1,shard2,shard1)`, `${KEY} notin (shard1,shard2)`],
    [`${KEY}`, KEY],
    [`! ${KEY}`, `!${KEY}`],
    ['tier>2, app=web', 'tier>2,app=web'],
  ];
  for (const [input, normalized] of cases) {
    const parsed = parseLabelSelector(input);
    assert.ok(parsed.ok, `${input}: ${parsed.ok ? '' : parsed.error}`);
    assert.equal(parsed.normalized, normalized, input);
  }
});

void test('mistakes are named', () => {
  assert.match(problem(`${KEY} in ()`), /in needs at least one value/);
  assert.match(problem(`${KEY}=shard1,`), /empty requirement/);
  assert.match(problem(`${KEY} in (a,(b))`), /unbalanced/);
  assert.match(problem(`${KEY}=a b`), /is not a requirement/);
  assert.match(problem(`${KEY}=-shard`), /value "-shard" must be/);
  assert.match(problem(`Bad.Prefix/key=a`), /prefix "Bad.Prefix"/);
  assert.match(problem(`${'k'.repeat(64)}=a`), /the key's name/);
  assert.match(problem('tier>high'), /needs a whole number/);
  assert.match(problem(`${KEY} in (a,-b)`), /value "-b"/);
});

void test('selects as the API server does', () => {
  const unlabelled = {};
  const shard1 = { [KEY]: 'shard1' };
  const other = { [KEY]: 'shard3' };
  const table: [string, Record<string, string>, boolean][] = [
    [`${KEY}=shard1`, shard1, true],
    [`${KEY}=shard1`, unlabelled, false],
    [`${KEY}!=shard1`, unlabelled, true],
    [`${KEY}!=shard1`, shard1, false],
    [`${KEY} in (shard1,shard2)`, shard1, true],
    [`${KEY} in (shard1,shard2)`, unlabelled, false],
    [`${KEY} notin (shard1,shard2)`, unlabelled, true],
    [`${KEY} notin (shard1,shard2)`, other, true],
    [`${KEY} notin (shard1,shard2)`, shard1, false],
    [`!${KEY}`, unlabelled, true],
    [`!${KEY}`, other, false],
    [KEY, other, true],
    ['tier>2', { tier: '3' }, true],
    ['tier>2', { tier: 'x' }, false],
    ['', unlabelled, true],
  ];
  for (const [selector, labels, expected] of table) assert.equal(selects(requirements(selector), labels), expected, `${selector} on ${JSON.stringify(labels)}`);
});
