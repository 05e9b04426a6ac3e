// spec.batch.schedule: a standard 5-field cron expression or a @-macro. One regular expression per
// field, joined, checked by the API server (CEL matches, RE2) and by zod alike, so a typo fails
// `kubectl apply` instead of surfacing when the operator first plans a run.
import { z } from 'zod';
import { celString, type CelRule } from './cel-rule.ts';
import { TIME_ZONE } from './patterns.ts';

const MAX_TIME_ZONE_LENGTH = 64;

export const CRON_MACROS = ['@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@annually', '@midnight'] as const;

// Names in lower or upper case (jan, JAN): without a case-insensitive flag, which JS and RE2 spell
// apart, every case (Jan, jAn) would cost the CRD's size budget a bracket per letter.
const names = (list: readonly string[]): string => [...list, ...list.map((n) => n.toUpperCase())].join('|');

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** One field: a list of `*`, a value or a range, each with an optional `/step`. */
function field(value: string, wildcard = '\\*'): string {
  const item = `(${wildcard}|(${value})(-(${value}))?)(/[1-9][0-9]{0,2})?`;
  return `${item}(,${item})*`;
}

const MINUTE = field('[0-5]?[0-9]');
const HOUR = field('[01]?[0-9]|2[0-3]');
const DAY_OF_MONTH = field('0?[1-9]|[12][0-9]|3[01]', '\\*|\\?');
const MONTH = field(`0?[1-9]|1[0-2]|${names(MONTH_NAMES)}`);
const DAY_OF_WEEK = field(`[0-7]|${names(DAY_NAMES)}`, '\\*|\\?');

export const CRON_SCHEDULE = new RegExp(
  `^(${CRON_MACROS.join('|')}|${[MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK].map((f) => `(${f})`).join(' +')})$`,
);

export const CRON_SCHEDULE_MESSAGE = `batch.schedule must be a cron expression of 5 fields (minute hour day-of-month month day-of-week; names as jan or JAN, mon or MON), e.g. "0 2 * * *", or one of ${CRON_MACROS.join(', ')}`;

export const cronScheduleRule: CelRule<string> = {
  rule: `self.matches(${celString(CRON_SCHEDULE.source)})`,
  message: CRON_SCHEDULE_MESSAGE,
  check: (s) => CRON_SCHEDULE.test(s),
};

/** The IANA time zone a schedule is read in (batch, drift checks, retraining); UTC when unset. */
export const scheduleTimeZone = (description = 'IANA time zone of the schedule, e.g. Europe/Berlin; UTC when unset.') =>
  z
    .string()
    .max(MAX_TIME_ZONE_LENGTH)
    .regex(TIME_ZONE, { error: 'must be an IANA time zone name such as UTC or Europe/Berlin' })
    .optional()
    .describe(description);
