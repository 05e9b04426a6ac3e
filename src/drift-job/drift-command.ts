// `modelship drift`: one check of one version's logged traffic against its reference profile. Reads the
// profile, streams the window's log files record by record into bounded per-feature summaries, judges
// them (src/drift), writes the report and returns the termination message.
import type { S3Client } from '@aws-sdk/client-s3';
import { lines } from '../agent/log-scan.ts';
import { DEFAULT_DRIFT_SETTINGS, driftVerdict, type DriftSettings, type FeatureDrift, type FeatureInput } from '../drift/drift-verdict.ts';
import { FetchFailure } from '../fetcher/failure.ts';
import type { DriftPlan } from './args.ts';
import { buildReport, terminationMessage, type ReadCounts, type ReportInputs } from './drift-report.ts';
import { inWindow, isWindowFile, windowPrefixes, type DriftWindow } from './drift-window.ts';
import { DriftJobFailure } from './exit-codes.ts';
import { resolveMapping, shapeKey, type Mapping } from './feature-mapping.ts';
import { getText, listKeys, putJson, streamObject } from './object-store.ts';
import { parseProfileDocument, type ProfileDocument } from './profile-document.ts';
import { requestInputs, responsePredictions } from './request-inputs.ts';
import { seededRandom, seedOf } from './seeded-random.ts';
import { WindowAccumulator } from './window-accumulator.ts';

type Log = (line: string) => void;

/** A profile is bounded (profile-document.ts); anything far larger is not one. */
const MAX_PROFILE_BYTES = 32 * 1024 * 1024;
/** A logged record is at most two bounded bodies (the agent's capture cap) and its fields. */
const MAX_RECORD_CHARS = 64 * 1024 * 1024;

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

const featureInput = (name: string, acc: WindowAccumulator): FeatureInput => {
  const window = acc.window();
  return acc.profile.kind === 'numeric' && window.kind === 'numeric-window'
    ? { name, profile: acc.profile, current: window }
    : { name, profile: acc.profile as Extract<FeatureInput['profile'], { kind: 'categorical' }>, current: window as Extract<ReturnType<WindowAccumulator['window']>, { kind: 'categorical-window' }> };
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

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
  const accumulators = new Map(judged.map((f) => [f.name, new WindowAccumulator(f.profile, settings.sampleSize, seededRandom(seedOf(`${seed}/${f.name}`)))]));
  const predictions = plan.predictions && profile.target !== undefined ? new WindowAccumulator(profile.target.profile, settings.sampleSize, seededRandom(seedOf(`${seed}/predictions`))) : undefined;
  if (plan.predictions && profile.target === undefined) log('modelship-drift: the profile has no target, so predictions are not judged');

  const mappings = new Map<string, Mapping>();
  const read = { files: 0, records: 0, used: 0, rows: 0, skipped: { notSuccessful: 0, notInference: 0, unreadable: 0 } };
  try {
    await readWindow();
  } catch (err) {
    // Under the log URI, a missing bucket (or a file gone since the listing) is the store's problem, not a missing profile.
    if (err instanceof FetchFailure && err.cls === 'ModelNotFound') throw new DriftJobFailure('Storage', `${err.message} (reading the logs under ${plan.logs.uri})`);
    throw err;
  }
  async function readWindow(): Promise<void> {
  for (const prefix of windowPrefixes(plan.logs.base, plan.namespace, plan.model, plan.version, window)) {
    const keys = (await listKeys(client, plan.logs.bucket, prefix, log)).filter((k) => isWindowFile(k, window)).sort();
    for (const key of keys) {
      read.files++;
      const body = streamObject(client, { kind: 's3', uri: `s3://${plan.logs.bucket}/${key}`, location: { bucket: plan.logs.bucket, key } }, Number.MAX_SAFE_INTEGER, log);
      for await (const line of lines(body, MAX_RECORD_CHARS)) {
        if (line.trim() === '') continue;
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch {
          read.skipped.unreadable++;
          continue;
        }
        if (!isRecord(record) || !inWindow(record.time, window)) continue;
        read.records++;
        if (typeof record.status !== 'number' || record.status < 200 || record.status > 299 || (record.method !== undefined && record.method !== 'POST')) {
          read.skipped.notSuccessful++;
          continue;
        }
        if (typeof record.request === 'string') {
          // A body the agent cut at its capture cap, or that was not JSON.
          read.skipped.unreadable++;
          continue;
        }
        const parsed = requestInputs(record.request);
        if (parsed.kind === 'none') {
          read.skipped.notInference++;
          continue;
        }
        if (parsed.kind === 'error') throw new DriftJobFailure('UnreadableData', `s3://${plan.logs.bucket}/${key}: request ${String(record.requestId)}: ${parsed.error}`);
        const shape = shapeKey(parsed.inputs);
        let mapping = mappings.get(shape);
        if (mapping === undefined) {
          const resolved = resolveMapping(parsed.inputs, judged.map((f) => f.name), plan.features);
          if (typeof resolved === 'string') throw new DriftJobFailure('UnreadableData', resolved);
          mapping = resolved;
          mappings.set(shape, mapping);
        }
        const byName = new Map(parsed.inputs.map((x) => [x.name, x]));
        for (let r = 0; r < parsed.rows; r++) {
          for (const source of mapping) accumulators.get(source.feature)!.add(byName.get(source.input)!.rows[r]![source.index]);
        }
        if (predictions !== undefined) {
          const values = responsePredictions(record.response, parsed.rows);
          if (values !== undefined) for (const v of values) predictions.add(v);
          else predictions.missing += parsed.rows;
        }
        read.used++;
        read.rows += parsed.rows;
      }
    }
  }
  }

  const inputs = [...accumulators].map(([name, acc]) => featureInput(name, acc));
  if (predictions !== undefined) inputs.push(featureInput(profile.target!.name, predictions));
  const verdict = driftVerdict(inputs, seededRandom(seedOf(`${seed}/verdict`)), settings);
  const features: FeatureDrift[] = verdict.features.slice(0, accumulators.size);
  const predictionResult = predictions !== undefined ? verdict.features[accumulators.size]! : null;
  const missing = new Map([...accumulators].map(([name, acc]) => [name, acc.missing]));
  if (predictionResult !== null) missing.set(predictionResult.name, predictions!.missing);
  const counts: ReadCounts = read;
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
    read: counts,
    missing,
    createdAt: now().toISOString(),
  };
  await putJson(client, plan.report.location, JSON.stringify(buildReport(report)), log);
  log(`modelship-drift: ${verdict.verdict} over ${read.rows} rows of ${read.used} requests in ${read.files} files (${new Date(window.startMs).toISOString()} to ${new Date(window.endMs).toISOString()})`);
  return { verdict: verdict.verdict, termination: terminationMessage(report, plan.report.uri) };
}
