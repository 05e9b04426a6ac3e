// profile.json: the reference's profile as the `profile` command writes it and `drift` reads it. Versioned
// by apiVersion; bounded whatever the reference's size: at most 64 features plus the target, each numeric
// one at most 20 bins and a 5,000-value sample, each categorical one at most 100 categories of at most 256
// characters (under 10 MiB in all, about 100 KiB per numeric feature). Pure.
import { z } from 'zod';
import type { CategoricalProfile } from '../drift/categorical-profile.ts';
import { MAX_TOP_K } from '../drift/categorical-profile.ts';
import type { NumericProfile } from '../drift/numeric-profile.ts';
import { DEFAULT_SAMPLE_SIZE, MAX_BINS } from '../drift/numeric-profile.ts';
import { MAX_FEATURES } from './feature-spec.ts';

export const PROFILE_API_VERSION = 'modelship.io/profile/v1';
export const MAX_CATEGORY_CHARS = 256;

export type FeatureProfile = NumericProfile | CategoricalProfile;

export interface ProfiledColumn {
  readonly name: string;
  readonly profile: FeatureProfile;
}

export interface ProfileDocument {
  readonly apiVersion: typeof PROFILE_API_VERSION;
  /** The reference columns that are features, in the reference's column order (the default mapping's order). */
  readonly features: readonly ProfiledColumn[];
  readonly target?: ProfiledColumn | undefined;
  readonly rows: number;
  readonly reference: string;
  readonly createdAt: string;
}

const finite = z.number().refine(Number.isFinite, 'not a finite number');
const count = z.number().int().min(0);
const nullable = finite.nullable();

const numericSchema = z.strictObject({
  kind: z.literal('numeric'),
  edges: z.array(finite).max(MAX_BINS),
  counts: z.array(count).max(MAX_BINS + 1),
  summary: z.strictObject({ count, missing: count, mean: nullable, std: nullable, min: nullable, max: nullable }),
  sample: z.array(finite).max(DEFAULT_SAMPLE_SIZE),
}).refine((p) => p.counts.length === p.edges.length + 1, 'one count per bin');

const categoricalSchema = z.strictObject({
  kind: z.literal('categorical'),
  categories: z.array(z.string().max(MAX_CATEGORY_CHARS)).max(MAX_TOP_K),
  counts: z.array(count).max(MAX_TOP_K + 1),
  missing: count,
}).refine((p) => p.counts.length === p.categories.length + 1, 'one count per category and one for "other"');

const columnSchema = z.strictObject({ name: z.string().min(1).max(256), profile: z.union([numericSchema, categoricalSchema]) });

const documentSchema = z.strictObject({
  apiVersion: z.literal(PROFILE_API_VERSION),
  features: z.array(columnSchema).min(1).max(MAX_FEATURES),
  target: columnSchema.optional(),
  rows: count,
  reference: z.string(),
  createdAt: z.string(),
});

/** A profile.json's document, or why it cannot be used. */
export function parseProfileDocument(text: string): ProfileDocument | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the profile is not valid JSON';
  }
  const apiVersion = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).apiVersion : undefined;
  if (apiVersion !== PROFILE_API_VERSION) return `the profile's apiVersion is ${JSON.stringify(apiVersion)}, not ${PROFILE_API_VERSION}: profile the reference again`;
  const parsed = documentSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `the profile is malformed at ${issue.path.join('.') || '(root)'}: ${issue.message}`;
  }
  return parsed.data;
}
