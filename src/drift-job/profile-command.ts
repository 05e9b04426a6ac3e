// `modelship profile`: reads the reference, profiles its features (and its target), writes profile.json.
import type { S3Client } from '@aws-sdk/client-s3';
import { FetchFailure } from '../fetcher/failure.ts';
import type { ProfilePlan } from './args.ts';
import { DriftJobFailure } from './exit-codes.ts';
import { MAX_FEATURES } from './feature-spec.ts';
import { putJson } from './object-store.ts';
import { keepsColumn, referenceProfile } from './reference-profile.ts';
import { readReference } from './reference-reader.ts';
import { ReferenceTable } from './reference-table.ts';

export interface ProfileResult {
  readonly rows: number;
  readonly features: number;
  readonly output: string;
}

/** A plain Error of the pure parts is a statement about the data. */
function asDataFailure(err: unknown, uri: string): unknown {
  if (err instanceof DriftJobFailure || err instanceof FetchFailure || !(err instanceof Error) || 'code' in err || '$metadata' in err) return err;
  return new DriftJobFailure('UnreadableData', `${uri}: ${err.message}`);
}

export async function runProfileCommand(plan: ProfilePlan, client: S3Client, log: (line: string) => void, now: () => Date = () => new Date()): Promise<ProfileResult> {
  const table = new ReferenceTable(keepsColumn(plan), MAX_FEATURES + (plan.target !== undefined ? 1 : 0));
  let document;
  try {
    await readReference(client, plan.reference, plan.format, table, log);
    document = referenceProfile(table, plan, plan.reference.uri, now().toISOString());
  } catch (err) {
    throw asDataFailure(err, plan.reference.uri);
  }
  log(`modelship-profile: ${table.rows} rows, ${document.features.length} features${document.target !== undefined ? ' and the target' : ''} from ${plan.reference.uri}`);
  await putJson(client, plan.output.location, JSON.stringify(document), log);
  return { rows: document.rows, features: document.features.length, output: plan.output.uri };
}
