import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exitLogLines } from '../../../bench/exit-log.ts';

const line = (level: number, msg: string) => JSON.stringify({ level, msg });

void test("an exited operator's warnings and errors are kept in order, with its last lines", () => {
  const text = [line(30, 'started'), line(40, 'watch restarted'), ...Array.from({ length: 30 }, (_, i) => line(30, `reconciled ${i}`)), line(50, 'lost the lease'), 'plain text at exit', ''].join('\n');
  const kept = exitLogLines(text, 20, 3);
  assert.deepEqual(kept, [line(40, 'watch restarted'), line(30, 'reconciled 29'), line(50, 'lost the lease'), 'plain text at exit']);
});

void test('only the last problems are kept, and long lines are cut', () => {
  const text = Array.from({ length: 30 }, (_, i) => line(50, `error ${i} ${'x'.repeat(i === 29 ? 1000 : 0)}`)).join('\n');
  const kept = exitLogLines(text, 5, 0);
  assert.equal(kept.length, 5);
  assert.match(kept[0]!, /error 25/);
  assert.ok(kept[4]!.length <= 601 && kept[4]!.endsWith('…'));
});

void test("the operator's level labels count as well as pino's numbers", () => {
  const label = (level: string, msg: string) => JSON.stringify({ level, msg });
  const text = [label('info', 'a'), label('warn', 'b'), label('info', 'c'), label('error', 'd'), label('fatal', 'e'), label('info', 'f')].join('\n');
  assert.deepEqual(exitLogLines(text, 20, 0), [label('warn', 'b'), label('error', 'd'), label('fatal', 'e')]);
});
