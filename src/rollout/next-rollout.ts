// PURE: the rollout state machine (docs/rollouts.md "State and the machine"). The spec, the previous
// status, the request annotations, what was observed and the time in; the next status, a plan for
// the renderer, events and when to look again out. No clock, no I/O: an operator that restarts
// reads the status back and decides exactly as before, and a decision fed back with the same
// inputs changes nothing (the machine runs every rule until none applies), which is what lets the
// controller write nothing in steady state.
import { durationMs } from '../api/duration.ts';
import type { ModelDeploymentSpec } from '../api/model-deployment-spec.ts';
import { ROLLBACK_ANNOTATION, ABORT_ANNOTATION, PROMOTE_ANNOTATION, RETRY_ANNOTATION } from '../api/rollout-annotations.ts';
import { DEFAULT_SCALE_DOWN_DELAY_SECONDS, ROUTER_PROVIDERS, trafficOf } from '../api/rollout-spec.ts';
import type { RolloutStep, RolloutStrategy, TrafficProvider, TrafficSpec } from '../api/rollout-spec.ts';
import type { CanaryStatus, HistoryEntry, HistoryOutcome, RolloutState, StableStatus, TrafficStatus } from '../api/rollout-status.ts';
import type { AnalysisStatus } from '../api/analysis-status.ts';
import { absorbRun, analysisFor, intervalMs, nextAnalysisAt, validationMethod } from './analysis-state.ts';
import { entryPlan, isKnownGood, recordHistory, trimHistory, validSnapshot } from './history.ts';
import { requestId } from './requests.ts';
import { capacityOf, effectiveWeight, splitReplicas } from './sizing.ts';
import { templateHash } from './template-hash.ts';
import type {
  RolloutDecision,
  RolloutEvent,
  RolloutEventReason,
  RolloutInput,
  RolloutPlan,
  VariantPlan,
  VariantScale,
} from './types.ts';

type HandledRequests = NonNullable<RolloutState['handledRequests']>;
type RolledBack = NonNullable<RolloutState['rolledBack']>;

interface Settings {
  strategy: RolloutStrategy;
  steps: readonly RolloutStep[];
  delayMs: number;
  traffic: TrafficSpec;
  provider: TrafficProvider;
  capacity: VariantScale;
}

/** The machine's working state for one decision. */
interface Work {
  readonly input: RolloutInput;
  readonly settings: Settings;
  readonly now: number;
  /** `now` as status writes times (metav1.Time: seconds). */
  readonly at: string;
  /** Template of what the spec asks for. */
  readonly specTemplate: string;
  stable: StableStatus | undefined;
  canary: CanaryStatus | undefined;
  history: HistoryEntry[];
  handled: HandledRequests;
  lastRevision: number;
  rolledBack: RolledBack | undefined;
  /** status.analysis: evidence about the current (or last) canary revision. */
  analysis: AnalysisStatus | undefined;
  events: RolloutEvent[];
  /** Times (ms) at which a timed step ends. */
  wakeAt: number[];
}

/** metav1.Time: RFC 3339 in whole seconds. */
export function metaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function settingsOf(spec: ModelDeploymentSpec): Settings {
  const traffic = trafficOf(spec.rollout);
  return {
    strategy: spec.rollout?.strategy ?? 'immediate',
    steps: spec.rollout?.steps ?? [],
    delayMs: (spec.rollout?.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS) * 1000,
    traffic,
    provider: traffic.provider,
    capacity: capacityOf(spec),
  };
}

function start(input: RolloutInput): Work {
  const previous = input.status;
  const history = structuredClone(previous?.history ?? []);
  const now = input.now.getTime();
  const known = [
    previous?.rollout?.lastRevision ?? 0,
    previous?.stable?.revision ?? 0,
    previous?.canary?.revision ?? 0,
    ...history.map((e) => e.revision),
  ];
  return {
    input,
    settings: settingsOf(input.spec),
    now,
    at: metaTime(now),
    specTemplate: templateHash(input.spec.model, input.spec.runtime),
    stable: previous?.stable && { ...previous.stable },
    canary: previous?.canary && structuredClone(previous.canary),
    history,
    handled: { ...previous?.rollout?.handledRequests },
    lastRevision: Math.max(...known),
    rolledBack: previous?.rollout?.rolledBack && { ...previous.rollout.rolledBack },
    analysis: previous?.analysis && structuredClone(previous.analysis),
    events: [],
    wakeAt: [],
  };
}

function emit(w: Work, type: RolloutEvent['type'], reason: RolloutEventReason, message: string): void {
  w.events.push({ type, reason, message });
}

function describe(v: { revision: number; version: string }): string {
  return `revision ${v.revision} (version ${v.version})`;
}

// --- revisions and snapshots -------------------------------------------------------------------

/** The revision of a template: the one it already has, or the next number. */
function revisionOf(w: Work, template: string): number {
  if (w.stable?.template === template) return w.stable.revision;
  if (w.canary?.template === template) return w.canary.revision;
  const entry = w.history.find((e) => e.template === template);
  if (entry !== undefined) return entry.revision;
  w.lastRevision += 1;
  return w.lastRevision;
}

/** What the spec asks for, as a variant renders it. */
function specPlan(w: Work): VariantPlan {
  const { model, runtime } = w.input.spec;
  return { revision: revisionOf(w, w.specTemplate), template: w.specTemplate, version: model.version, model, runtime };
}

function stablePlan(w: Work): VariantPlan | undefined {
  const s = w.stable;
  if (s === undefined) return undefined;
  if (s.template === w.specTemplate) {
    const { model, runtime } = w.input.spec;
    return { ...s, model, runtime };
  }
  const entry = w.history.find((e) => e.revision === s.revision && e.template === s.template);
  return entry && entryPlan(entry);
}

function canaryPlan(w: Work): VariantPlan | undefined {
  const c = w.canary;
  if (c === undefined) return undefined;
  const { revision, template, version } = c;
  if (template === w.specTemplate) return { revision, template, version, model: w.input.spec.model, runtime: w.input.spec.runtime };
  const snap = validSnapshot(c.model, c.runtime);
  return snap && { revision, template, version, ...snap };
}

function knownGoodEntry(w: Work, template: string): HistoryEntry | undefined {
  const entry = w.history.find((e) => e.template === template);
  return entry !== undefined && isKnownGood(entry) ? entry : undefined;
}

function record(w: Work, variant: VariantPlan, outcome: HistoryOutcome): void {
  w.history = recordHistory(w.history, variant, outcome, w.at);
}

// --- transitions -------------------------------------------------------------------------------

/** The stable variant serves `variant` from now on, in place. */
function serveAsStable(w: Work, variant: VariantPlan, outcome: HistoryOutcome): void {
  w.stable = { revision: variant.revision, version: variant.version, template: variant.template };
  record(w, variant, outcome);
}

function startCanary(w: Work, reason: 'CanaryStarted' | 'CanaryRestarted', why: string): void {
  const spec = specPlan(w);
  w.canary = {
    revision: spec.revision,
    version: spec.version,
    template: spec.template,
    step: 0,
    weight: 0,
    phase: 'Progressing',
    stepStartedAt: w.at,
    model: structuredClone(spec.model),
    runtime: structuredClone(spec.runtime),
  };
  // Evidence is per attempt: a retried canary is validated and analysed afresh.
  const checked = w.input.spec.rollout?.analysis !== undefined || w.input.spec.rollout?.validation !== undefined;
  w.analysis = checked ? analysisFor(undefined, spec.revision) : undefined;
  emit(w, 'Normal', reason, `canary ${describe(spec)} ${why}`);
}

function abortCanary(w: Work, type: RolloutEvent['type'], why: string): void {
  const c = w.canary;
  if (c === undefined) return;
  const plan = canaryPlan(w);
  c.phase = 'Aborted';
  c.weight = 0;
  c.stepStartedAt = w.at;
  c.message = `aborted: ${why}`;
  if (plan !== undefined) record(w, plan, 'Aborted');
  emit(w, type, 'Aborted', `canary ${describe(c)} aborted: ${why}; all traffic goes to stable ${describe(w.stable!)}`);
}

function startPromotion(w: Work, why: string): void {
  const c = w.canary!;
  c.phase = 'Promoting';
  c.stepStartedAt = w.at;
  c.message = `promoting: stable rolls out ${describe(c)}`;
  if (w.analysis?.revision === c.revision && w.analysis.phase !== 'Failed' && w.analysis.phase !== 'ValidationFailed') {
    w.analysis.phase = 'Succeeded';
    w.analysis.message = `promoted: ${why}`;
  }
  emit(w, 'Normal', 'Promoting', `promoting canary ${describe(c)}: ${why}`);
}

function completePromotion(w: Work): void {
  const c = w.canary!;
  serveAsStable(w, canaryPlan(w)!, 'Promoted');
  w.canary = undefined;
  emit(w, 'Normal', 'Promoted', `${describe(c)} is stable and takes all traffic; canary removed`);
}

function ignore(w: Work, annotation: string, id: string, why: string): void {
  emit(w, 'Warning', 'RequestIgnored', `${annotation}=${id} ignored: ${why}`);
}

// --- requests ----------------------------------------------------------------------------------

function isNew(w: Work, kind: keyof HandledRequests, raw: string | undefined): boolean {
  // Normalized again (parseRolloutRequests does it too) so that status always accepts the id.
  const id = requestId(raw);
  if (id === undefined || w.handled[kind] === id) return false;
  w.handled[kind] = id;
  return true;
}

function rollback(w: Work, id: string, revision: number | undefined): void {
  const stable = w.stable!;
  const target =
    revision !== undefined
      ? w.history.find((e) => e.revision === revision)
      : w.history.find((e) => isKnownGood(e) && e.revision !== stable.revision && entryPlan(e) !== undefined);
  const canaryRuns = w.canary !== undefined && w.canary.phase !== 'Aborted';
  if (target === undefined) {
    const why = revision !== undefined ? `revision ${revision} is not in status.history` : 'status.history has no known-good revision other than stable';
    return ignore(w, ROLLBACK_ANNOTATION, id, why);
  }
  if (!isKnownGood(target)) return ignore(w, ROLLBACK_ANNOTATION, id, `${describe(target)} was aborted; it is not known-good`);
  const plan = entryPlan(target);
  if (plan === undefined) return ignore(w, ROLLBACK_ANNOTATION, id, `the model or runtime kept for ${describe(target)} is no longer valid`);
  if (target.revision === stable.revision && !canaryRuns) return ignore(w, ROLLBACK_ANNOTATION, id, `${describe(target)} is already stable`);

  if (canaryRuns) abortCanary(w, 'Warning', `rollback to ${describe(target)} requested`);
  if (target.revision !== stable.revision) {
    const from = describe(stable);
    serveAsStable(w, plan, 'RolledBack');
    emit(w, 'Normal', 'RolledBack', `rolled back from ${from} to ${describe(plan)} without steps`);
  }
  // Git still asks for its template: hold it until the spec changes or a retry, unless an aborted
  // canary already holds it (or Git asks for what is served now).
  const heldByCanary = w.canary?.phase === 'Aborted' && w.canary.template === w.specTemplate;
  if (w.specTemplate !== plan.template && !heldByCanary) {
    const known = w.stable?.template === w.specTemplate ? undefined : w.history.find((e) => e.template === w.specTemplate);
    w.rolledBack = { template: w.specTemplate, ...(known ? { revision: known.revision } : {}), at: w.at };
  } else {
    w.rolledBack = undefined;
  }
}

function retry(w: Work, id: string): void {
  const c = w.canary;
  if (c?.phase === 'Aborted' && c.template === w.specTemplate) {
    w.canary = undefined;
    return startCanary(w, 'CanaryRestarted', 'restarts from step 0 (retry requested)');
  }
  if (w.rolledBack !== undefined && w.rolledBack.template === w.specTemplate) {
    w.rolledBack = undefined;
    // Someone rolled back from it: with strategy canary it walks the steps again, even if it was
    // promoted before; with immediate followSpec serves it at once.
    if (w.settings.strategy === 'canary' && w.specTemplate !== w.stable!.template) {
      startCanary(w, 'CanaryStarted', `retried after the rollback to ${describe(w.stable!)}: starts from step 0`);
    }
    return;
  }
  ignore(w, RETRY_ANNOTATION, id, 'no aborted canary or rollback holds the spec back');
}

function promote(w: Work, id: string): void {
  const c = w.canary;
  if (c === undefined) return ignore(w, PROMOTE_ANNOTATION, id, 'no canary is running');
  if (c.phase === 'Aborted') return ignore(w, PROMOTE_ANNOTATION, id, `canary ${describe(c)} was aborted; retry it first`);
  if (c.phase === 'Promoting') return ignore(w, PROMOTE_ANNOTATION, id, `canary ${describe(c)} is already being promoted`);
  startPromotion(w, 'promotion requested');
}

/**
 * Each request acts once per id, in this order: rollback, retry, abort, promote. An abort thus
 * wins over a retry or a promote that arrive with it: the canary ends at weight 0.
 */
function handleRequests(w: Work): void {
  const r = w.input.requests;
  if (r.rollback !== undefined && isNew(w, 'rollback', r.rollback.id)) rollback(w, w.handled.rollback!, r.rollback.revision);
  if (isNew(w, 'retry', r.retry)) retry(w, w.handled.retry!);
  if (isNew(w, 'abort', r.abort)) {
    const c = w.canary;
    if (c !== undefined && c.phase !== 'Aborted') abortCanary(w, 'Warning', 'abort requested');
    else ignore(w, ABORT_ANNOTATION, w.handled.abort!, c === undefined ? 'no canary is running' : `canary ${describe(c)} is already aborted`);
  }
  if (isNew(w, 'promote', r.promote)) promote(w, w.handled.promote!);
}

/** Marks every pending request handled without acting (first deploy: there is nothing to act on). */
function settleRequests(w: Work): void {
  const r = w.input.requests;
  isNew(w, 'rollback', r.rollback?.id);
  isNew(w, 'abort', r.abort);
  isNew(w, 'retry', r.retry);
  isNew(w, 'promote', r.promote);
}

// --- following the spec -------------------------------------------------------------------------

/** Git's template is not what stable serves: fast-track it, replace in place, or start a canary. */
function rollOutSpec(w: Work): void {
  const from = describe(w.stable!);
  const good = knownGoodEntry(w, w.specTemplate);
  if (good !== undefined) {
    const spec = specPlan(w);
    serveAsStable(w, spec, 'RolledBack');
    emit(w, 'Normal', 'RolledBack', `the spec is back to known-good ${describe(spec)}: serving it at once, without steps (was ${from})`);
    return;
  }
  if (w.settings.strategy === 'immediate') {
    const spec = specPlan(w);
    serveAsStable(w, spec, 'Replaced');
    emit(w, 'Normal', 'Replaced', `${describe(spec)} replaces ${from} in place (strategy immediate)`);
    return;
  }
  startCanary(w, 'CanaryStarted', `started beside stable ${from}`);
}

function followSpec(w: Work): void {
  const t = w.specTemplate;
  const stable = w.stable!;
  if (w.rolledBack !== undefined && w.rolledBack.template !== t) w.rolledBack = undefined; // the spec changed
  const c = w.canary;
  if (c !== undefined && c.phase !== 'Aborted') {
    if (t === c.template) {
      if (w.settings.strategy === 'immediate' && c.phase !== 'Promoting') startPromotion(w, 'strategy is immediate');
      return;
    }
    if (t === stable.template) return abortCanary(w, 'Normal', `the spec is back to stable ${describe(stable)}`);
    if (knownGoodEntry(w, t) !== undefined || w.settings.strategy === 'immediate') {
      abortCanary(w, 'Normal', 'the spec changed again');
      return rollOutSpec(w);
    }
    const old = canaryPlan(w);
    if (old !== undefined) record(w, old, 'Aborted');
    w.canary = undefined;
    return startCanary(w, 'CanaryRestarted', `restarts from step 0: the spec changed during the canary of ${describe(c)}`);
  }
  if (c !== undefined && t === c.template) return; // aborted and held until the spec changes or a retry
  if (w.rolledBack !== undefined) return; // held after a rollback
  if (t === stable.template) return; // steady state
  rollOutSpec(w);
}

// --- walking the steps --------------------------------------------------------------------------

function canaryRolledOut(w: Work): boolean {
  const o = w.input.observed.canary;
  return o !== undefined && o.revision === w.canary?.revision && o.updatedReady;
}

function routerReports(w: Work, weight: number): boolean {
  const reported = w.input.observed.routerWeight;
  return reported !== undefined && reported === effectiveWeight(w.settings.provider, w.settings.capacity, weight);
}

function stepLabel(w: Work, index: number): string {
  const step = w.settings.steps[index];
  if (step === undefined) return 'promotion';
  const what =
    step.weight !== undefined ? `weight ${step.weight}` : step.pause?.duration !== undefined ? `pause ${step.pause.duration}` : 'pause until promoted';
  return `step ${index + 1}/${w.settings.steps.length} (${what})`;
}

function advance(w: Work): void {
  const c = w.canary!;
  if (w.analysis?.revision === c.revision) w.analysis.stepPasses = 0;
  const done = stepLabel(w, c.step);
  c.step += 1;
  c.stepStartedAt = w.at;
  emit(w, 'Normal', 'StepAdvanced', `canary ${describe(c)}: ${done} done, next: ${stepLabel(w, c.step)}`);
}

/** Promoting: stable takes the canary's template; once it is rolled out, traffic leaves the canary, then its pods go. */
function promoting(w: Work): void {
  const c = w.canary!;
  const stable = w.input.observed.stable;
  if (!(stable.revision === c.revision && stable.updatedReady)) {
    c.message = `promoting: waiting for the stable Deployment to roll out ${describe(c)}`;
    return;
  }
  if (c.weight !== 0) {
    c.weight = 0;
    c.stepStartedAt = w.at;
  }
  if (!routerReports(w, 0)) {
    c.message = `promoting: stable serves ${describe(c)}; waiting for the ${w.settings.provider} router to send it all traffic`;
    return;
  }
  const end = Date.parse(c.stepStartedAt ?? w.at) + w.settings.delayMs;
  if (w.now < end) {
    c.message = `promoting: canary pods are removed at ${metaTime(end)} (scaleDownDelaySeconds)`;
    w.wakeAt.push(end);
    return;
  }
  completePromotion(w);
}

function progress(w: Work): void {
  const steps = w.settings.steps;
  // Each pass either waits (returns) or moves forward; there are at most steps.length + 1 moves.
  for (let pass = 0; pass <= steps.length + 2; pass++) {
    const c = w.canary;
    if (c === undefined || c.phase === 'Aborted') return;
    if (c.phase === 'Promoting') return promoting(w);
    const step = steps[c.step];
    if (step === undefined) {
      startPromotion(w, `all ${steps.length} steps are done`);
      continue;
    }
    if (step.weight !== undefined) {
      if (analysisPaused(w)) return;
      c.phase = 'Progressing';
      if (c.weight !== step.weight) {
        if (!canaryRolledOut(w)) {
          c.message = `${stepLabel(w, c.step)}: waiting for canary ${describe(c)} to be ready`;
          return;
        }
        if (!validated(w)) return;
        c.weight = step.weight;
      }
      if (!routerReports(w, step.weight)) {
        c.message = `${stepLabel(w, c.step)}: waiting for the ${w.settings.provider} router to apply it`;
        return;
      }
      if (!stepPassed(w)) return;
      advance(w);
      continue;
    }
    if (analysisPaused(w)) return;
    if (c.phase !== 'Paused') {
      c.phase = 'Paused';
      emit(w, 'Normal', 'Paused', `canary ${describe(c)} paused at ${stepLabel(w, c.step)}`);
    }
    const duration = step.pause?.duration !== undefined ? durationMs(step.pause.duration) : undefined;
    if (duration === undefined) {
      c.message = `${stepLabel(w, c.step)}: paused until promoted (modelship promote)`;
      return;
    }
    const end = Date.parse(c.stepStartedAt ?? w.at) + duration;
    if (w.now < end) {
      c.message = `${stepLabel(w, c.step)}: paused until ${metaTime(end)}`;
      w.wakeAt.push(end);
      return;
    }
    advance(w);
  }
}

// --- validation and analysis (docs/analysis.md) ------------------------------------------------

function analysisSpec(w: Work) {
  return w.input.spec.rollout?.analysis;
}

function validationSpec(w: Work) {
  return w.input.spec.rollout?.validation;
}

/** The evidence record of the running canary, created (or reset for a new revision) on demand. */
function evidence(w: Work): AnalysisStatus {
  const c = w.canary!;
  if (w.analysis?.revision !== c.revision) w.analysis = analysisFor(undefined, c.revision);
  return w.analysis;
}

/** Validation gate before the first weight: true once validation passed (or none is asked for). */
function validated(w: Work): boolean {
  const method = validationMethod(validationSpec(w));
  if (method === undefined) return true;
  const c = w.canary!;
  const a = evidence(w);
  if (a.validation?.phase === 'Passed') return true;
  if (a.validation === undefined) {
    a.validation = { revision: c.revision, method, phase: 'Running', startedAt: w.at };
    a.phase = 'Validating';
    emit(w, 'Normal', 'ValidationStarted', `validating canary ${describe(c)} (${method === 'job' ? 'validation Job' : 'smoke check'}) before it takes traffic`);
  }
  c.message = `${stepLabel(w, c.step)}: validating canary ${describe(c)} before any traffic (${method === 'job' ? 'validation Job' : 'smoke check'})`;
  return false;
}

/** With analysis, a weight step completes only after a passing measurement taken at its weight. */
function stepPassed(w: Work): boolean {
  if (analysisSpec(w) === undefined) return true;
  const c = w.canary!;
  const a = evidence(w);
  if ((a.stepPasses ?? 0) >= 1) return true;
  const last = a.verdict !== undefined ? `; last measurement: ${a.verdict}${a.message !== undefined ? ` (${a.message})` : ''}` : '';
  c.message = `${stepLabel(w, c.step)}: waiting for a passing analysis${last}`;
  return false;
}

/** Too many Inconclusive measurements in a row: the canary holds for a person (promote or abort). */
function analysisPaused(w: Work): boolean {
  const c = w.canary!;
  if (analysisSpec(w) === undefined || w.analysis?.revision !== c.revision || w.analysis.phase !== 'Inconclusive') return false;
  c.phase = 'Paused';
  c.message = `${stepLabel(w, c.step)}: paused: analysis inconclusive ${w.analysis.inconclusive ?? 0} times in a row (too little traffic?); promote or abort (modelship promote|abort)`;
  return true;
}

/** Takes in what the controller observed: a validation result and a measurement, for this canary revision only. */
function absorbEvidence(w: Work): void {
  const c = w.canary;
  if (c === undefined || c.phase === 'Aborted' || c.phase === 'Promoting') return;
  const { validation, analysisRun } = w.input.observed;
  if (validation !== undefined && validation.revision === c.revision && validationSpec(w) !== undefined) {
    const a = evidence(w);
    const v = a.validation;
    if (v?.phase !== 'Passed' && v?.phase !== 'Failed') {
      a.validation = {
        revision: c.revision,
        method: validation.method,
        phase: validation.phase,
        startedAt: v?.startedAt ?? w.at,
        ...(validation.job !== undefined ? { job: validation.job } : {}),
        ...(validation.message !== undefined ? { message: validation.message } : {}),
        ...(validation.phase !== 'Running' ? { finishedAt: w.at } : {}),
      };
      if (validation.phase === 'Passed') {
        a.phase = 'Running';
        emit(w, 'Normal', 'ValidationPassed', `canary ${describe(c)} passed validation: ${validation.message ?? 'ok'}`);
      } else if (validation.phase === 'Failed') {
        a.phase = 'ValidationFailed';
        a.message = validation.message;
        emit(w, 'Warning', 'ValidationFailed', `canary ${describe(c)} failed validation: ${validation.message ?? 'failed'}`);
        abortCanary(w, 'Warning', `validation failed: ${validation.message ?? 'failed'}`);
        return;
      }
    }
  }
  const spec = analysisSpec(w);
  const a = w.analysis;
  if (analysisRun === undefined || spec === undefined || a?.revision !== c.revision || analysisRun.revision !== c.revision) return;
  if (a.startedAt === undefined || (a.phase !== 'Running' && a.phase !== 'Inconclusive')) return;
  const step = w.settings.steps[c.step];
  const atStepWeight = step?.weight !== undefined && c.weight === step.weight && routerReports(w, step.weight);
  const effect = absorbRun(a, analysisRun, spec, w.at, atStepWeight);
  w.analysis = effect.analysis;
  const n = effect.analysis.runs ?? 0;
  const reason = ({ Pass: 'AnalysisPassed', Fail: 'AnalysisFailed', Inconclusive: 'AnalysisInconclusive', Error: 'AnalysisUnavailable' } as const)[analysisRun.verdict];
  const type = analysisRun.verdict === 'Fail' || analysisRun.verdict === 'Error' ? 'Warning' : 'Normal';
  emit(w, type, reason, `measurement ${n} of canary ${describe(c)} at ${stepLabel(w, c.step)}: ${analysisRun.verdict}: ${analysisRun.message}`);
  if (effect.failed) {
    abortCanary(w, 'Warning', `analysis failed ${effect.analysis.failures ?? 0} times (failureLimit ${spec.failureLimit}): ${analysisRun.message}`);
  } else if (effect.pausedNow) {
    emit(w, 'Warning', 'AnalysisPaused', `canary ${describe(c)} paused: ${effect.analysis.inconclusive ?? 0} inconclusive measurements in a row (inconclusiveLimit ${spec.inconclusiveLimit}); promote or abort`);
  }
}

/** Opens the analysis window once the canary really takes traffic, and schedules the next measurement. */
function scheduleAnalysis(w: Work, takesTraffic: boolean): void {
  const spec = analysisSpec(w);
  const c = w.canary;
  if (spec === undefined || c === undefined || (c.phase !== 'Progressing' && c.phase !== 'Paused')) return;
  if (validationSpec(w) !== undefined && (w.analysis?.revision !== c.revision || w.analysis.validation?.phase !== 'Passed')) return;
  const a = evidence(w);
  if (a.phase !== 'Running' && a.phase !== 'Inconclusive') return;
  if (a.startedAt === undefined) {
    if (!takesTraffic) {
      a.message = 'waiting for the canary to take traffic';
      return;
    }
    a.startedAt = w.at;
    a.message = `analysis started: a measurement every ${spec.interval}`;
  }
  const due = nextAnalysisAt(a, intervalMs(spec));
  if (due !== undefined) w.wakeAt.push(Math.max(due, w.now + 1000));
}

// --- the decision --------------------------------------------------------------------------------

/** The largest weight of the weight steps up to `step`: routers keep the canary sized for it. */
function stepWeight(steps: readonly RolloutStep[], step: number): number {
  let weight = 0;
  for (let i = 0; i <= step && i < steps.length; i++) weight = Math.max(weight, steps[i]!.weight ?? 0);
  return weight;
}

function finish(w: Work): RolloutDecision {
  const { settings } = w;
  let c = w.canary;
  // An aborted canary keeps its pods for scaleDownDelaySeconds; once they are gone it is forgotten
  // unless the spec still asks for it (then it says why the object is stalled).
  let canaryRuns = c !== undefined;
  if (c?.phase === 'Aborted') {
    const end = Date.parse(c.stepStartedAt ?? w.at) + settings.delayMs;
    canaryRuns = w.now < end;
    if (canaryRuns) w.wakeAt.push(end);
    else if (c.template !== w.specTemplate) w.canary = c = undefined;
  }
  const canary = canaryRuns ? canaryPlan(w) : undefined;
  const stable = (c?.phase === 'Promoting' ? canaryPlan(w) : undefined) ?? stablePlan(w)!;
  const stableStatus = w.stable!;
  w.history = trimHistory(w.history, new Set([stableStatus.revision]));

  const weight = canary !== undefined && c !== undefined ? c.weight : 0;
  const sizing = c === undefined ? 0 : Math.max(weight, stepWeight(settings.steps, c.step));
  const split = splitReplicas(settings.provider, settings.capacity, weight, sizing);
  const plan: RolloutPlan = {
    provider: settings.provider,
    stable,
    replicas: canary !== undefined ? { stable: split.stable, canary: split.canary } : { stable: settings.capacity },
    weights: canary !== undefined ? { stable: 100 - split.canaryWeight, canary: split.canaryWeight, exact: split.exact } : { stable: 100, canary: 0, exact: true },
  };
  if (canary !== undefined) plan.canary = canary;
  // An unvalidated canary gets no users: no cohort, no mirror (weights are held at 0 by validated()).
  const validationPending =
    c !== undefined && validationSpec(w) !== undefined && (w.analysis?.revision !== c.revision || w.analysis.validation?.phase !== 'Passed');
  const serving =
    canary !== undefined &&
    c !== undefined &&
    !validationPending &&
    (c.phase === 'Progressing' || c.phase === 'Paused' || (c.phase === 'Promoting' && c.weight > 0)) &&
    w.input.observed.canary?.revision === c.revision &&
    w.input.observed.canary.ready;
  if (serving && ROUTER_PROVIDERS.includes(settings.provider)) {
    if (settings.traffic.mirror !== undefined) plan.mirrorPercent = settings.traffic.mirror.percent;
    if (settings.traffic.match !== undefined && settings.traffic.match.length > 0) plan.cohortMatch = structuredClone(settings.traffic.match);
  }
  const takesTraffic =
    c !== undefined && serving && ((c.weight > 0 && routerReports(w, c.weight)) || plan.mirrorPercent !== undefined || plan.cohortMatch !== undefined);
  scheduleAnalysis(w, takesTraffic);
  if (canary !== undefined && c !== undefined && validationMethod(validationSpec(w)) === 'job' && w.analysis?.revision === c.revision && w.analysis.validation?.method === 'job') {
    plan.validationJob = { revision: c.revision };
  }

  const traffic: TrafficStatus[] = [{ variant: 'stable', weight: plan.weights.stable, exact: plan.weights.exact }];
  if (canary !== undefined) traffic.push({ variant: 'canary', weight: plan.weights.canary, exact: plan.weights.exact });
  let trafficSummary = canary !== undefined ? `stable=${plan.weights.stable} canary=${plan.weights.canary}` : 'stable=100';
  if (canary !== undefined && !plan.weights.exact) trafficSummary += ' (approximate)';
  if (plan.mirrorPercent !== undefined) trafficSummary += ` mirror=${plan.mirrorPercent}%`;

  const rollout: RolloutState = { lastRevision: w.lastRevision };
  if (Object.keys(w.handled).length > 0) rollout.handledRequests = w.handled;
  if (w.rolledBack !== undefined) rollout.rolledBack = w.rolledBack;

  const decision: RolloutDecision = {
    status: { stable: stableStatus, traffic, history: w.history, rollout, trafficSummary },
    plan,
    events: w.events,
    inProgress: c !== undefined && c.phase !== 'Aborted',
    message: summary(w),
  };
  if (c !== undefined) decision.status.canary = c;
  if (w.analysis !== undefined) decision.status.analysis = w.analysis;
  const stalled = stall(w);
  if (stalled !== undefined) decision.stalled = stalled;
  const wake = w.wakeAt.filter((t) => t > w.now);
  if (wake.length > 0) decision.requeueAfterMs = Math.min(...wake) - w.now;
  return decision;
}

function stall(w: Work): RolloutDecision['stalled'] {
  const c = w.canary;
  if (c?.phase === 'Aborted' && c.template === w.specTemplate) {
    const phase = w.analysis?.revision === c.revision ? w.analysis.phase : undefined;
    return {
      reason: phase === 'Failed' ? 'AnalysisFailed' : phase === 'ValidationFailed' ? 'ValidationFailed' : 'RolloutAborted',
      message: `canary ${describe(c)} was ${c.message ?? 'aborted'}; change spec.model or spec.runtime, or retry it (modelship retry)`,
    };
  }
  if (w.rolledBack !== undefined && w.rolledBack.template === w.specTemplate) {
    const asked = w.rolledBack.revision !== undefined ? `revision ${w.rolledBack.revision}` : 'a new revision';
    return {
      reason: 'RolledBack',
      message: `rolled back to ${describe(w.stable!)} at ${w.rolledBack.at}; the spec still asks for ${asked}: change spec.model or spec.runtime, or retry (modelship retry)`,
    };
  }
  return undefined;
}

function summary(w: Work): string {
  const c = w.canary;
  const stable = `stable ${describe(w.stable!)}`;
  if (c === undefined) return `${stable} serves all traffic`;
  return `${stable}, canary ${describe(c)} ${c.phase.toLowerCase()} at weight ${c.weight}${c.message !== undefined ? `: ${c.message}` : ''}`;
}

export function nextRollout(input: RolloutInput): RolloutDecision {
  const w = start(input);
  if (w.stable === undefined || stablePlan(w) === undefined) {
    // First deploy: the spec becomes stable at once. Also when the stable revision's model and
    // runtime are lost (status written by hand or by an older operator): serve the spec.
    if (w.stable !== undefined) {
      emit(w, 'Warning', 'HistoryMissing', `the model and runtime of stable ${describe(w.stable)} are not in status.history; serving the spec as stable`);
    }
    w.canary = undefined;
    w.rolledBack = undefined;
    serveAsStable(w, specPlan(w), 'Replaced');
    settleRequests(w);
    return finish(w);
  }
  if (w.canary !== undefined && canaryPlan(w) === undefined) {
    emit(w, 'Warning', 'HistoryMissing', `the model and runtime of canary ${describe(w.canary)} are not in status.canary; canary dropped`);
    w.canary = undefined;
  }
  handleRequests(w);
  followSpec(w);
  absorbEvidence(w);
  progress(w);
  return finish(w);
}
