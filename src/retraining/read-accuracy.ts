// I/O: one accuracy reading for `retraining.on.accuracyBelow`, from the Prometheus the canary analysis
// would ask (spec.rollout.analysis.prometheus, or the platform's default), with the same source rules and
// credentials (src/analysis/prometheus-sources.ts, src/controller/fetch-measurement.ts). What the answer
// means is accuracyReading, pure. Never throws: a failure is an outcome with a message.
import type { ModelDeploymentSpec } from '../api/index.ts';
import { chooseSource } from '../analysis/prometheus-sources.ts';
import { platformCredentials, prometheusClientFor, userCredentials, type MeasurementDeps } from '../controller/fetch-measurement.ts';
import { describeError } from '../controller/phases/describe-error.ts';
import { accuracyReading, accuracyReadingQueries, type AccuracyOutcome } from './accuracy-reading.ts';

export type AccuracyReadResult = AccuracyOutcome | { readonly kind: 'unavailable'; readonly message: string; readonly time: Date };

export interface AccuracyTarget {
  readonly namespace: string;
  readonly name: string;
  readonly spec: ModelDeploymentSpec;
  /** The stable revision: its predictions are the ones read. */
  readonly revision: number;
}

export async function readAccuracy(target: AccuracyTarget, slot: Date, deps: MeasurementDeps): Promise<AccuracyReadResult> {
  const unavailable = (message: string): AccuracyReadResult => ({ kind: 'unavailable', message, time: slot });
  const choice = chooseSource(target.spec.rollout?.analysis?.prometheus, deps.analysisSources);
  if (choice.kind === 'refused') return unavailable(choice.message);
  const credentials = choice.kind === 'platform' ? await platformCredentials(choice.source, deps) : await userCredentials(choice, target.namespace, deps);
  if (typeof credentials === 'string') return unavailable(credentials);
  if ('refusal' in credentials) return unavailable(credentials.refusal);
  let prometheus;
  try {
    prometheus = prometheusClientFor(choice, credentials, deps.allowCidrs);
  } catch (err) {
    return unavailable(describeError(err).message);
  }
  const q = accuracyReadingQueries({ namespace: target.namespace, name: target.name, revision: target.revision });
  try {
    // Asked at the slot's start, so every retry within the slot reads the same window.
    const [labels, incorrect] = await Promise.all([prometheus.query(q.labels, slot), prometheus.query(q.incorrect, slot)]);
    return accuracyReading(labels, incorrect, slot);
  } catch (err) {
    return unavailable(describeError(err).message);
  } finally {
    await prometheus.close();
  }
}
