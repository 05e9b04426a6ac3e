// `modelship drift`: one check of one version's logged traffic against its reference profile. Reads the
// profile, streams the window's log files record by record into bounded per-feature summaries, judges
// them (src/drift), writes the report and returns the termination message.
import type { S3Client } from '@aws-sdk/client-s3';
import { versionPrefix } from '../agent/layout.ts';
import { DEFAULT_DRIFT_SETTINGS, driftVerdict, type DriftSettings, type FeatureDrift } from '../drift/drift-verdict.ts';
import { FetchFailure } from '../fetcher/failure.ts';
import type { DriftPlan } from './args.ts';
import { buildReport, terminationMessage, type ReadCounts, type ReportInputs } from './drift-report.ts';
import type { DriftWindow } from './drift-window.ts';
import { DriftJobFailure } from './exit-codes.ts';
import { getText, putJson } from './object-store.ts';
import { parseProfileDocument, type ProfileDocument } from './profile-document.ts';
import { seededRandom, seedOf } from './seeded-random.ts';
import { readWindowLines } from './window-reader.ts';
import { WindowSummary } from './window-summary.ts';

type Log = (line: string) => void;

/** A profile is bounded (profile-document.ts); anything far larger is not one. */
const MAX_PROFILE_BYTES = 32 * 1024 * 1024;

async function readProfile(client: S3Client, plan: DriftPlan, log: Log): Promise<ProfileDocument> {
  let text: string;
  try {
    text = await getText(client, plan.profile.location, MAX_PROFILE_BYTES, log);
  } catch (err) {
    if (err instanceof FetchFailure && err.cls === 'ModelNotFound') {
      throw new DriftJobFailure('NotFound', `${plan.profile.uri}: no profile of version ${plan.version}; the reference has not been profiled (or its profile Job failed)`);
    }
    throw err;
  }
  const document = parseProfileDocument(text);
  if (typeof document === 'string') throw new DriftJobFailure('UnreadableData', `${plan.profile.uri}: ${document}`);
  return document;
}

export function settingsOf(plan: DriftPlan): DriftSettings {
  return { ...DEFAULT_DRIFT_SETTINGS, alpha: plan.alpha, effectSize: plan.effectSize.measure, minEffect: plan.effectSize.threshold, minSamples: plan.minSamples };
}

export interface DriftResult {
  readonly verdict: ReportInputs['verdict'];
  readonly termination: string;
}

export async function runDriftCommand(plan: DriftPlan, client: S3Client, log: Log, now: () => Date = () => new Date()): Promise<DriftResult> {
  const profile = await readProfile(client, plan, log);
  const names = profile.features.map((f) => f.name);
  const unknown = plan.features?.find((f) => !names.includes(f.name));
  if (unknown !== undefined) throw new DriftJobFailure('InvalidArguments', `--features names '${unknown.name}', which the profile does not have (it has ${names.slice(0, 20).join(', ')}); profile the reference again`);
  const judged = plan.features !== undefined ? profile.features.filter((f) => plan.features!.some((s) => s.name === f.name)) : profile.features;
  const settings = settingsOf(plan);
  const window: DriftWindow = { startMs: plan.windowEndMs - plan.windowMs, endMs: plan.windowEndMs };
  const seed = `${plan.namespace}/${plan.model}/${plan.version}@${plan.windowEndMs}`;
  if (plan.predictions && profile.target === undefined) log('modelship-drift: the profile has no target, so predictions are not judged');
  const summary = new WindowSummary(judged, plan.predictions ? profile.target : undefined, plan.features, window, settings, seed);
  const root = versionPrefix(plan.logs.base, plan.namespace, plan.model, plan.version);
  await readWindowLines(client, plan.logs, [root], window, log, (line, uri) => summary.addLine(line, uri), () => summary.read.files++);

  const inputs = summary.inputs();
  const verdict = driftVerdict(inputs.predictions !== undefined ? [...inputs.features, inputs.predictions] : inputs.features, seededRandom(seedOf(`${seed}/verdict`)), settings);
  const features: FeatureDrift[] = verdict.features.slice(0, inputs.features.length);
  const predictionResult = inputs.predictions !== undefined ? verdict.features[inputs.features.length]! : null;
  const read: ReadCounts = summary.read;
  const report: ReportInputs = {
    verdict: verdict.verdict,
    features,
    predictions: predictionResult,
    settings,
    windowStart: new Date(window.startMs).toISOString(),
    windowEnd: new Date(window.endMs).toISOString(),
    namespace: plan.namespace,
    model: plan.model,
    version: plan.version,
    profile: plan.profile.uri,
    read,
    missing: summary.missing(),
    createdAt: now().toISOString(),
  };
  await putJson(client, plan.report.location, JSON.stringify(buildReport(report)), log);
  log(`modelship-drift: ${verdict.verdict} over ${read.rows} rows of ${read.used} requests in ${read.files} files (${new Date(window.startMs).toISOString()} to ${new Date(window.endMs).toISOString()})`);
  return { verdict: verdict.verdict, termination: terminationMessage(report, plan.report.uri) };
}
