// The window a check reads: only the hour partitions of the version that overlap [end - window, end), and
// records by their time (start inclusive, end exclusive).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logFileKey } from '../../../src/agent/layout.ts';
import { inWindow, isWindowFile, windowPrefixes } from '../../../src/drift-job/drift-window.ts';

const at = (iso: string) => Date.parse(iso);
const hours = (prefixes: readonly string[]) => prefixes.map((p) => /date=([\d-]+)\/hour=(\d\d)\/$/.exec(p)!.slice(1).join('T'));

test('the hours overlapping the window, and no others', () => {
  assert.deepEqual(hours(windowPrefixes('logs', 'ns', 'm', '3', { startMs: at('2026-03-01T11:30:00Z'), endMs: at('2026-03-01T12:30:00Z') })), ['2026-03-01T11', '2026-03-01T12']);
  // An end on the hour does not read the hour that starts there.
  assert.deepEqual(hours(windowPrefixes('logs', 'ns', 'm', '3', { startMs: at('2026-03-01T11:00:00Z'), endMs: at('2026-03-01T12:00:00Z') })), ['2026-03-01T11']);
  assert.deepEqual(hours(windowPrefixes('', 'ns', 'm', '3', { startMs: at('2026-02-28T22:59:00Z'), endMs: at('2026-03-01T01:00:01Z') })), ['2026-02-28T22', '2026-02-28T23', '2026-03-01T00', '2026-03-01T01']);
  assert.equal(windowPrefixes('b', 'ns', 'm', '3', { startMs: at('2026-03-01T00:00:00Z') - 168 * 3_600_000, endMs: at('2026-03-01T00:00:00Z') }).length, 168);
});

test('prefixes are the agent layout of that version only', () => {
  const [prefix] = windowPrefixes('team-a/logs', 'ns-1', 'iris', 'v 2', { startMs: at('2026-03-01T11:10:00Z'), endMs: at('2026-03-01T11:20:00Z') });
  assert.equal(prefix, 'team-a/logs/namespace=ns-1/model=iris/version=v%202/date=2026-03-01/hour=11/');
  const key = logFileKey('team-a/logs', { namespace: 'ns-1', model: 'iris', version: 'v 2', pod: 'p' }, at('2026-03-01T11:59:59Z'), at('2026-03-01T12:00:03Z'), 4);
  assert.ok(key.startsWith(prefix), key);
});

test('listed keys and record times are checked against the window', () => {
  const window = { startMs: at('2026-03-01T11:30:00Z'), endMs: at('2026-03-01T12:30:00Z') };
  const key = (hour: string) => `b/namespace=n/model=m/version=1/date=2026-03-01/hour=${hour}/p-1-0.jsonl`;
  assert.ok(isWindowFile(key('11'), window));
  assert.ok(isWindowFile(key('12'), window));
  assert.ok(!isWindowFile(key('10'), window));
  assert.ok(!isWindowFile(key('13'), window));
  assert.ok(!isWindowFile(key('11').replace('.jsonl', '.tmp'), window));
  assert.ok(inWindow('2026-03-01T11:30:00.000Z', window), 'start inclusive');
  assert.ok(!inWindow('2026-03-01T12:30:00.000Z', window), 'end exclusive');
  assert.ok(!inWindow('2026-03-01T11:29:59.999Z', window));
  assert.ok(!inWindow(undefined, window));
  assert.ok(!inWindow('yesterday', window));
});
