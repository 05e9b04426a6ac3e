// PURE: the evidence of the canary (status.analysis) as the machine may read it. status.analysis
// keeps the last canary's record after it is gone, so every read goes through the canary's revision:
// evidence about another revision is never taken for this canary's.
import type { AnalysisStatus } from '../api/analysis-status.ts';
import type { ModelDeploymentSpec } from '../api/model-deployment-spec.ts';
import type { CanaryStatus } from '../api/rollout-status.ts';

/** What the evidence rules read: status, or the machine's state. */
export interface EvidenceSource {
  readonly canary?: Pick<CanaryStatus, 'revision' | 'phase'> | undefined;
  readonly analysis?: AnalysisStatus | undefined;
}

/** A canary walking its steps (not promoting, not aborted): the only one evidence is gathered for. */
export function canaryLive(c: Pick<CanaryStatus, 'phase'> | undefined): boolean {
  return c?.phase === 'Progressing' || c?.phase === 'Paused';
}

/** status.analysis when it is about the canary's revision; undefined without a canary or for another revision. */
export function evidenceOf(s: EvidenceSource | undefined): AnalysisStatus | undefined {
  const c = s?.canary;
  return c !== undefined && s?.analysis?.revision === c.revision ? s.analysis : undefined;
}

/** The analysis still measures: validated (or not asked to be), not failed, not finished. */
export function measuring(a: Pick<AnalysisStatus, 'phase'>): boolean {
  return a.phase === 'Running' || a.phase === 'Inconclusive';
}

/** A fresh record: a new revision starts without evidence. */
export function freshEvidence(revision: number): AnalysisStatus {
  return { revision, phase: 'Running' };
}

/** This canary revision's validation has a result (Passed or Failed): nothing more to observe or ask for. */
export function validationEnded(s: EvidenceSource): boolean {
  const phase = evidenceOf(s)?.validation?.phase;
  return phase === 'Passed' || phase === 'Failed';
}

/** Validation gate: passed for this canary's revision, or not asked for. */
export function validationPassed(spec: ModelDeploymentSpec, s: EvidenceSource): boolean {
  return spec.rollout?.validation === undefined || evidenceOf(s)?.validation?.phase === 'Passed';
}
