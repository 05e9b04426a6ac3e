// spec.monitoring.drift.features as the `--features` JSON argument: which reference column each feature
// is, where it sits in a request, and its type. Pure.
import { z } from 'zod';

export const MAX_FEATURES = 64;

export interface FeatureSpec {
  readonly name: string;
  /** The OIP v2 input (v1: the instance key) it is read from; default the request's only input. */
  readonly input?: string | undefined;
  /** Its position in that input's row; absent: the input is 1-D and is this feature. */
  readonly index?: number | undefined;
  readonly type?: 'numeric' | 'categorical' | undefined;
}

const featureSchema = z.strictObject({
  name: z.string().min(1).max(256),
  input: z.string().min(1).max(256).optional(),
  index: z.number().int().min(0).max(1_000_000).optional(),
  type: z.enum(['numeric', 'categorical']).optional(),
});

const featuresSchema = z.array(featureSchema).min(1).max(MAX_FEATURES);

/** The features of `--features`, or why they are refused. */
export function parseFeatureSpecs(json: string): readonly FeatureSpec[] | string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return '--features is not valid JSON';
  }
  const parsed = featuresSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `--features${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}`;
  }
  const names = new Set<string>();
  for (const f of parsed.data) {
    if (names.has(f.name)) return `--features: '${f.name}' is named twice`;
    names.add(f.name);
  }
  return parsed.data;
}
