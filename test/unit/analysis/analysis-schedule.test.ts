// When measurements are due: one interval after the start, then one interval after each run.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analysisDue, nextAnalysisAt } from '../../../src/analysis/index.ts';

const start = '2025-01-01T00:00:00Z';
const t0 = Date.parse(start);

describe('analysis schedule', () => {
  test('nothing is due before the window starts', () => {
    assert.equal(nextAnalysisAt({}, 60_000), undefined);
    assert.equal(analysisDue({}, 60_000, t0 + 10 * 60_000), false);
  });

  test('the first run is one interval after startedAt', () => {
    assert.equal(nextAnalysisAt({ startedAt: start }, 60_000), t0 + 60_000);
    assert.equal(analysisDue({ startedAt: start }, 60_000, t0 + 59_999), false);
    assert.equal(analysisDue({ startedAt: start }, 60_000, t0 + 60_000), true);
    assert.equal(analysisDue({ startedAt: start }, 60_000, new Date(t0 + 60_000)), true);
  });

  test('then every interval after lastRunAt, however late the last run was', () => {
    const last = '2025-01-01T00:01:30Z';
    assert.equal(nextAnalysisAt({ startedAt: start, lastRunAt: last }, 60_000), t0 + 150_000);
    assert.equal(analysisDue({ startedAt: start, lastRunAt: last }, 60_000, t0 + 120_000), false);
    assert.equal(analysisDue({ startedAt: start, lastRunAt: last }, 60_000, t0 + 150_000), true);
  });

  test('an unreadable time schedules nothing', () => {
    assert.equal(nextAnalysisAt({ startedAt: 'yesterday' }, 60_000), undefined);
    assert.equal(analysisDue({ startedAt: 'yesterday' }, 60_000, Date.now()), false);
  });
});
