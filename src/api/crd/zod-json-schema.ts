// The JSON Schema of a zod schema, as the CRD generator reads it.
import { z } from 'zod';
import { PATTERN_MESSAGE } from './map-key-rules.ts';

// Strings that fail every pattern of the API (each needs at least one visible character).
const PROBES = ['', ' '];

/**
 * The zod message of a string's regex check, so a CEL rule standing in for it says the same. zod
 * keeps messages behind error maps it alone may call: a probe that fails the regex brings it out.
 */
function patternMessage(schema: z.core.$ZodType): string | undefined {
  if (!(schema instanceof z.core.$ZodString) || !(schema._zod.def.checks ?? []).some((c) => c instanceof z.core.$ZodCheckRegex)) {
    return undefined;
  }
  for (const probe of PROBES) {
    const issue = z.safeParse(schema, probe).error?.issues.find((i) => i.code === 'invalid_format' && i.format === 'regex');
    if (issue !== undefined) return issue.message;
  }
  return undefined;
}

/** Input-side JSON Schema; draft-2020-12 rather than openapi-3.0, the only one with propertyNames (map keys). */
export function crdJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-2020-12',
    override: ({ zodSchema, jsonSchema }) => {
      const message = patternMessage(zodSchema);
      if (message !== undefined) jsonSchema[PATTERN_MESSAGE] = message;
    },
  });
}
