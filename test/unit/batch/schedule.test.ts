// Scheduling decisions of batch runs: CronJob semantics with the time passed in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_STARTING_DEADLINE_SECONDS, manualDecision, nextRunAt, scheduleDecision, scheduleError } from '../../../src/batch/schedule.ts';
import type { ScheduleInput } from '../../../src/batch/schedule.ts';

const at = (iso: string): Date => new Date(iso);
const hourly: ScheduleInput = {
  schedule: '0 * * * *',
  suspend: false,
  now: at('2026-05-01T10:00:30Z'),
  lastScheduleTime: at('2026-05-01T09:00:00Z'),
  activeRuns: 0,
  concurrencyPolicy: 'Forbid',
};

test('nextRunAt follows the time zone, across a DST change', () => {
  assert.deepEqual(nextRunAt('0 2 * * *', 'UTC', at('2026-01-01T03:00:00Z')), at('2026-01-02T02:00:00Z'));
  assert.deepEqual(nextRunAt('0 2 * * *', 'Europe/Berlin', at('2026-01-01T03:00:00Z')), at('2026-01-02T01:00:00Z'));
  assert.deepEqual(nextRunAt('0 2 * * *', 'Europe/Berlin', at('2026-07-01T03:00:00Z')), at('2026-07-02T00:00:00Z'));
  assert.deepEqual(nextRunAt('0 * * * *', undefined, at('2026-01-01T03:00:00Z')), at('2026-01-01T04:00:00Z'));
});

test('invalid schedules and time zones are reported', () => {
  assert.equal(scheduleError('0 2 * * *', 'Europe/Berlin'), undefined);
  assert.notEqual(scheduleError('not a schedule'), undefined);
  assert.notEqual(scheduleError('0 2 * * *', 'Mars/Olympus'), undefined);
  // CronJob's five fields: a seconds field is refused, nicknames are accepted.
  assert.notEqual(scheduleError('0 0 2 * * *'), undefined);
  assert.equal(scheduleError('@daily'), undefined);
});

test('a schedule with no future time asks for no timed requeue', () => {
  assert.equal(nextRunAt('0 2 31 2 *', undefined, at('2026-01-01T00:00:00Z')), undefined);
  assert.deepEqual(scheduleDecision({ ...hourly, schedule: '0 2 31 2 *' }), { action: 'none', requeueAfterMs: undefined });
});

test('a due time starts a run and the decision asks to look again at the next time', () => {
  const d = scheduleDecision(hourly);
  assert.equal(d.action, 'start');
  assert.deepEqual(d.scheduledTime, at('2026-05-01T10:00:00Z'));
  assert.equal(d.requeueAfterMs, 59 * 60_000 + 30_000);
  assert.equal(d.missed, undefined);
});

test('nothing due: no action, requeue at the next time', () => {
  const d = scheduleDecision({ ...hourly, lastScheduleTime: at('2026-05-01T10:00:00Z') });
  assert.equal(d.action, 'none');
  assert.equal(d.requeueAfterMs, 59 * 60_000 + 30_000);
});

test('suspended: no action and no timed requeue', () => {
  assert.deepEqual(scheduleDecision({ ...hourly, suspend: true }), { action: 'none', requeueAfterMs: undefined });
});

test('after an outage only the latest missed time runs, and the others are counted', () => {
  const d = scheduleDecision({ ...hourly, lastScheduleTime: at('2026-05-01T04:00:00Z') });
  assert.equal(d.action, 'start');
  assert.deepEqual(d.scheduledTime, at('2026-05-01T10:00:00Z'));
  assert.equal(d.missed, 5);
});

test('very many missed times: the latest still runs, the count is capped', () => {
  const d = scheduleDecision({ ...hourly, schedule: '* * * * *', lastScheduleTime: at('2026-04-01T00:00:00Z') });
  assert.equal(d.action, 'start');
  assert.deepEqual(d.scheduledTime, at('2026-05-01T10:00:00Z'));
  assert.equal(d.missed, 99);
});

test('a time past the starting deadline is not started', () => {
  const late = { ...hourly, now: at(`2026-05-01T10:0${DEFAULT_STARTING_DEADLINE_SECONDS / 60}:01Z`) };
  const d = scheduleDecision(late);
  assert.equal(d.action, 'none');
  assert.equal(d.missed, 1);
  assert.equal(scheduleDecision({ ...late, startingDeadlineSeconds: 3600 }).action, 'start');
});

test('without a last schedule time, runs are due from the creation time only', () => {
  const fresh = { ...hourly, lastScheduleTime: undefined };
  assert.equal(scheduleDecision({ ...fresh, createdAt: at('2026-05-01T09:30:00Z') }).action, 'start');
  assert.equal(scheduleDecision({ ...fresh, createdAt: at('2026-05-01T10:00:10Z') }).action, 'none');
  assert.equal(scheduleDecision(fresh).action, 'none');
});

test('an active run: Forbid skips the time, Replace replaces, Allow overlaps', () => {
  for (const [policy, action] of [['Forbid', 'skip-forbid'], ['Replace', 'replace'], ['Allow', 'start']] as const) {
    const d = scheduleDecision({ ...hourly, activeRuns: 1, concurrencyPolicy: policy });
    assert.equal(d.action, action);
    assert.deepEqual(d.scheduledTime, at('2026-05-01T10:00:00Z'));
  }
});

test('property: an acted-on time is due, after the last one, within the deadline; the next look is the next time', () => {
  const minute = 60_000;
  fc.assert(
    fc.property(
      fc.constantFrom('* * * * *', '*/7 * * * *', '0 * * * *', '30 2 * * *', '0 0 * * 1'),
      fc.integer({ min: 0, max: 60 * 24 * 30 }),
      fc.integer({ min: 0, max: 60 * 24 * 30 }),
      fc.integer({ min: 0, max: 3 }),
      fc.constantFrom('Allow', 'Forbid', 'Replace'),
      (schedule, lastOffset, nowOffset, activeRuns, concurrencyPolicy) => {
        const base = at('2026-03-01T00:00:00Z').getTime();
        const last = new Date(base + lastOffset * minute);
        const now = new Date(last.getTime() + nowOffset * minute + 17_000);
        const d = scheduleDecision({ schedule, suspend: false, now, lastScheduleTime: last, activeRuns, concurrencyPolicy });
        const next = nextRunAt(schedule, undefined, now)!;
        assert.equal(d.requeueAfterMs, next.getTime() - now.getTime());
        const first = nextRunAt(schedule, undefined, last)!;
        if (d.action === 'none') {
          // Nothing due, or the latest due time is past the deadline.
          if (first.getTime() <= now.getTime()) assert.ok((d.missed ?? 0) >= 1);
          return;
        }
        const t = d.scheduledTime!;
        assert.ok(t.getTime() > last.getTime() && t.getTime() <= now.getTime());
        assert.ok(now.getTime() - t.getTime() <= DEFAULT_STARTING_DEADLINE_SECONDS * 1000);
        assert.ok(nextRunAt(schedule, undefined, t)!.getTime() > now.getTime(), 'the latest due time');
        assert.equal(d.action === 'start', activeRuns === 0 || concurrencyPolicy === 'Allow');
      },
    ),
  );
});

test('manual triggers: a new annotation value starts a run once', () => {
  assert.deepEqual(manualDecision(undefined, undefined, 0, 'Forbid'), { action: 'none' });
  assert.deepEqual(manualDecision('', undefined, 0, 'Forbid'), { action: 'none' });
  assert.deepEqual(manualDecision('a', 'a', 0, 'Forbid'), { action: 'none' });
  assert.deepEqual(manualDecision('b', 'a', 0, 'Forbid'), { action: 'start', handled: 'b' });
  assert.deepEqual(manualDecision('b', 'a', 1, 'Forbid'), { action: 'skip-forbid', handled: 'b' });
  assert.deepEqual(manualDecision('b', 'a', 1, 'Replace'), { action: 'replace', handled: 'b' });
  assert.deepEqual(manualDecision('b', undefined, 2, 'Allow'), { action: 'start', handled: 'b' });
});
