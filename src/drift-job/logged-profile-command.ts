// `modelship profile --logs ...`: the reference is a window of the model's own logged requests. Reads the
// window as a check reads its own (window-reader.ts, logged-request.ts), maps each request's rows to
// features as a check maps them (logged-table.ts), and profiles them as a sample file is profiled
// (reference-profile.ts), the predictions as the target. Fewer rows than --min-samples fail the profile.
import type { S3Client } from '@aws-sdk/client-s3';
import { modelPrefix, versionPrefix } from '../agent/layout.ts';
import type { LoggedProfilePlan } from './args.ts';
import type { DriftWindow } from './drift-window.ts';
import { DriftJobFailure } from './exit-codes.ts';
import { loggedRequest, newReadCounts } from './logged-request.ts';
import { LoggedTable, PREDICTIONS_COLUMN, PREDICTIONS_NAME } from './logged-table.ts';
import { listFolders, putJson } from './object-store.ts';
import type { ProfileResult } from './profile-command.ts';
import type { ProfileDocument } from './profile-document.ts';
import { referenceProfile } from './reference-profile.ts';
import { seededRandom, seedOf } from './seeded-random.ts';
import { readWindowLines } from './window-reader.ts';

type Log = (line: string) => void;

const iso = (ms: number) => new Date(ms).toISOString();

/** What the profile says it was made from: the log location, the model (and version) and the window. */
export function loggedReferenceName(plan: LoggedProfilePlan): string {
  const who = `${plan.namespace}/${plan.model}${plan.version !== undefined ? ` version ${plan.version}` : ''}`;
  return `${plan.logs.uri} logged requests of ${who} from ${iso(plan.windowStartMs)} to ${iso(plan.windowEndMs)}`;
}

/** The version folders to read: the one asked for, or every version's under the model. */
async function versionRoots(client: S3Client, plan: LoggedProfilePlan, log: Log): Promise<string[]> {
  if (plan.version !== undefined) return [versionPrefix(plan.logs.base, plan.namespace, plan.model, plan.version)];
  const folders = await listFolders(client, plan.logs.bucket, modelPrefix(plan.logs.base, plan.namespace, plan.model), log);
  return folders.filter((f) => /\/version=[^/]+\/$/.test(f)).sort();
}

export async function runLoggedProfileCommand(plan: LoggedProfilePlan, client: S3Client, log: Log, now: () => Date = () => new Date()): Promise<ProfileResult> {
  const window: DriftWindow = { startMs: plan.windowStartMs, endMs: plan.windowEndMs };
  const reference = loggedReferenceName(plan);
  const read = newReadCounts();
  const table = new LoggedTable(plan.features, seededRandom(seedOf(reference)));
  const roots = await versionRoots(client, plan, log);
  await readWindowLines(client, plan.logs, roots, window, log, (line, uri) => {
    const request = loggedRequest(line, window, read, uri);
    if (request === undefined) return;
    table.add(request);
    read.used++;
    read.rows += request.rows;
  }, () => read.files++);
  const { skipped } = read;
  log(
    `modelship-profile: ${read.rows} rows of ${read.used} requests in ${read.files} files of ${roots.length} versions (left out: ${skipped.notSuccessful} not successful, ${skipped.notInference} not inference, ${skipped.unreadable} unreadable)`,
  );
  if (read.rows < plan.minSamples) {
    throw new DriftJobFailure(
      'UnreadableData',
      `${reference}: ${read.rows} request rows in ${read.files} log files, fewer than the ${plan.minSamples} a reference needs (drift.minSamples): choose a window of drift.reference.logged with more logged traffic`,
    );
  }
  const sampled = table.table();
  let document: ProfileDocument;
  try {
    const profiled = referenceProfile(sampled, { target: table.predictions > 0 ? PREDICTIONS_COLUMN : undefined, exclude: [], features: plan.features }, reference, now().toISOString());
    document = { ...profiled, rows: read.rows, ...(profiled.target !== undefined ? { target: { ...profiled.target, name: PREDICTIONS_NAME } } : {}) };
  } catch (err) {
    if (err instanceof DriftJobFailure || !(err instanceof Error)) throw err;
    throw new DriftJobFailure('UnreadableData', `${reference}: ${err.message.replace(/\breference\b/g, 'logged window')}`);
  }
  log(`modelship-profile: ${document.features.length} features${document.target !== undefined ? ' and the predictions' : ''} from a sample of ${sampled.rows} rows`);
  await putJson(client, plan.output.location, JSON.stringify(document), log);
  return { rows: document.rows, features: document.features.length, output: plan.output.uri };
}
