// The profile document of a read reference table: one profile per feature column (numeric: quantile bins
// and a bounded sample; categorical: top categories and "other") and the target's. Pure.
import { categoricalProfile } from '../drift/categorical-profile.ts';
import { numericProfile } from '../drift/numeric-profile.ts';
import type { FeatureSpec } from './feature-spec.ts';
import type { FeatureProfile, ProfileDocument } from './profile-document.ts';
import { PROFILE_API_VERSION } from './profile-document.ts';
import type { ColumnValues, ReferenceTable } from './reference-table.ts';
import { seededRandom, seedOf } from './seeded-random.ts';

export interface ProfileInputs {
  readonly target?: string | undefined;
  readonly exclude: readonly string[];
  readonly features?: readonly FeatureSpec[] | undefined;
}

/** Whether the reader keeps a column: a listed feature or the target, or (no list) any column not excluded. */
export function keepsColumn(inputs: ProfileInputs): (name: string) => boolean {
  if (inputs.features !== undefined) {
    const names = new Set(inputs.features.map((f) => f.name));
    return (name) => names.has(name) || name === inputs.target;
  }
  return (name) => !inputs.exclude.includes(name);
}

function* numbersThenMissing(column: ColumnValues): Generator<number | null> {
  yield* column.numbers();
  for (let i = 0; i < column.missing; i++) yield null;
}

function* categoryValues(column: ColumnValues): Generator<string | number | null> {
  yield* column.numbers();
  for (const [text, n] of column.texts) for (let i = 0; i < n; i++) yield text;
  for (let i = 0; i < column.missing; i++) yield null;
}

function profileOf(name: string, column: ColumnValues, type: 'numeric' | 'categorical'): FeatureProfile {
  if (type === 'categorical') return categoricalProfile(categoryValues(column));
  return numericProfile(numbersThenMissing(column), seededRandom(seedOf(name)));
}

/** Numeric if every value is a number, unless told; a numeric type over text is refused. */
function featureType(name: string, column: ColumnValues, told: 'numeric' | 'categorical' | undefined): 'numeric' | 'categorical' {
  if (told === 'numeric' && column.texts.size > 0) {
    const example = column.texts.keys().next().value!;
    throw new Error(`the feature '${name}' is declared numeric but the reference has the value ${JSON.stringify(example.slice(0, 40))}`);
  }
  return told ?? (column.texts.size === 0 ? 'numeric' : 'categorical');
}

/** The target (and so the predictions) is categorical when its values are integers or text. */
function targetType(column: ColumnValues): 'numeric' | 'categorical' {
  return column.texts.size > 0 || !column.fractional ? 'categorical' : 'numeric';
}

/** The profile document; throws (with a message for the user) when the table cannot be profiled. */
export function referenceProfile(table: ReferenceTable, inputs: ProfileInputs, reference: string, createdAt: string): ProfileDocument {
  if (table.rows === 0) throw new Error('the reference has no rows');
  if (inputs.target !== undefined && !table.columns.includes(inputs.target)) throw new Error(`the reference has no target column '${inputs.target}'`);
  const specs: readonly FeatureSpec[] = inputs.features ?? table.columns.filter((c) => c !== inputs.target && !inputs.exclude.includes(c)).map((name): FeatureSpec => ({ name }));
  if (specs.length === 0) throw new Error('the reference has no feature columns after the target and the excluded ones');
  const missing = specs.find((f) => !table.values.has(f.name));
  if (missing !== undefined) throw new Error(`the reference has no column '${missing.name}' (its columns: ${table.columns.slice(0, 20).join(', ')})`);
  const features = specs.map((f) => {
    const column = table.values.get(f.name)!;
    return { name: f.name, profile: profileOf(f.name, column, featureType(f.name, column, f.type)) };
  });
  const targetColumn = inputs.target !== undefined ? table.values.get(inputs.target) : undefined;
  const target = targetColumn !== undefined ? { name: inputs.target!, profile: profileOf(inputs.target!, targetColumn, targetType(targetColumn)) } : undefined;
  return { apiVersion: PROFILE_API_VERSION, features, ...(target !== undefined ? { target } : {}), rows: table.rows, reference, createdAt };
}
