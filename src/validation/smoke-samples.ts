// PURE: the smoke check's sample requests, read from one value of a ConfigMap's data. A person
// writes that value by hand, so every error names the ConfigMap, the key and what is wrong.
import { errorMessage } from '../errors.ts';

/** One request body: a JSON object, sent as it is. */
export type JsonObject = { readonly [key: string]: unknown };

export const MAX_SMOKE_SAMPLES = 100;

export type SmokeSamplesResult = { ok: true; samples: JsonObject[] } | { ok: false; message: string };

/** Where the samples come from: spec.rollout.validation.smoke.samples. */
export interface SamplesSource {
  readonly configMap: string;
  readonly key: string;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** `value` is the ConfigMap's data[key]; undefined when the ConfigMap has no such key. */
export function parseSmokeSamples(source: SamplesSource, value: string | undefined): SmokeSamplesResult {
  const where = `ConfigMap ${source.configMap} key ${source.key}`;
  if (value === undefined) return { ok: false, message: `ConfigMap ${source.configMap} has no key ${source.key}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    return { ok: false, message: `${where} is not a JSON array: ${errorMessage(err)}` };
  }
  if (!Array.isArray(parsed)) return { ok: false, message: `${where} is not a JSON array: it holds ${kindOf(parsed)}` };
  if (parsed.length === 0) return { ok: false, message: `${where} holds an empty array: give 1 to ${MAX_SMOKE_SAMPLES} request bodies` };
  if (parsed.length > MAX_SMOKE_SAMPLES) {
    return { ok: false, message: `${where} holds ${parsed.length} samples: at most ${MAX_SMOKE_SAMPLES}` };
  }
  const samples: JsonObject[] = [];
  for (const [i, item] of (parsed as unknown[]).entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return { ok: false, message: `${where}: sample ${i} is not a JSON object (a request body): it is ${kindOf(item)}` };
    }
    samples.push(item as JsonObject);
  }
  return { ok: true, samples };
}
