// Phase request evidence: hands the decision's evidenceNeeded to the gatherer, which fetches it outside
// the worker and brings the key back when a result is ready. A spec that does not parse asks for
// nothing: whatever an earlier decision asked for is dropped.
import type { RolloutDecision } from '../../rollout/index.ts';
import type { ReconcileDeps } from '../reconcile-deps.ts';
import type { Target } from './load.ts';
import { evidenceSubject } from './observe.ts';

export function requestEvidence(target: Target, decision: RolloutDecision | undefined, deps: Pick<ReconcileDeps, 'evidence'>): void {
  if (target.spec === undefined || decision === undefined) deps.evidence.forget(target.key);
  else deps.evidence.request(evidenceSubject(target, target.spec), decision.evidenceNeeded);
}
