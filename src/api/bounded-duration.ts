// A duration field bounded on both sides, checked by zod and by a CEL rule the API server runs, with a
// message that says why the bounds are what they are.
import { z } from 'zod';
import { withCelRules } from './cel-rule.ts';
import { DURATION, MAX_DURATION_LENGTH, durationMs } from './duration.ts';

export const boundedDuration = (field: string, min: string, max: string, why: string, description: string) =>
  withCelRules(
    z
      .string()
      .max(MAX_DURATION_LENGTH)
      .regex(DURATION, { error: 'must be a duration such as 30s, 10m, 1h or 168h (days are written in hours)' })
      .describe(description),
    [
      {
        rule: `duration(self) >= duration('${min}') && duration(self) <= duration('${max}')`,
        message: `${field} must be from ${min} to ${max}: ${why}`,
        check: (s) => {
          const ms = durationMs(s) ?? 0;
          return ms >= (durationMs(min) ?? 0) && ms <= (durationMs(max) ?? 0);
        },
      },
    ],
  );
