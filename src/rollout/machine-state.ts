// PURE: the machine's state during one decision: the status fields it owns, plus the events and
// wake-up times gathered on the way. Immutable: transition.ts alone makes the next one.
import type { AnalysisStatus } from '../api/analysis-status.ts';
import type { CanaryStatus, HistoryEntry, RolloutState, StableStatus } from '../api/rollout-status.ts';
import type { RolloutEvent, RolloutInput } from './types.ts';
import { treeCopy } from '../tree-copy.ts';

export type HandledRequests = NonNullable<RolloutState['handledRequests']>;
export type RolledBack = NonNullable<RolloutState['rolledBack']>;

export interface MachineState {
  readonly stable: Readonly<StableStatus> | undefined;
  readonly canary: Readonly<CanaryStatus> | undefined;
  readonly history: readonly HistoryEntry[];
  readonly handled: Readonly<HandledRequests>;
  readonly lastRevision: number;
  /** Git's template held back after a rollback, until the spec changes or a retry. */
  readonly rolledBack: Readonly<RolledBack> | undefined;
  /** status.analysis: evidence about the current (or last) canary revision; read it through evidenceOf. */
  readonly analysis: Readonly<AnalysisStatus> | undefined;
  readonly events: readonly RolloutEvent[];
  /** Times (ms) at which a timed step ends. */
  readonly wakeAt: readonly number[];
}

/** The state as the previous status left it (copied: a decision never aliases its input). */
export function initialState(input: RolloutInput): MachineState {
  const previous = input.status;
  const history = treeCopy(previous?.history ?? []);
  const known = [
    previous?.rollout?.lastRevision ?? 0,
    previous?.stable?.revision ?? 0,
    previous?.canary?.revision ?? 0,
    ...history.map((e) => e.revision),
  ];
  return {
    stable: previous?.stable && { ...previous.stable },
    canary: previous?.canary && treeCopy(previous.canary),
    history,
    handled: { ...previous?.rollout?.handledRequests },
    lastRevision: Math.max(...known),
    rolledBack: previous?.rollout?.rolledBack && { ...previous.rollout.rolledBack },
    analysis: previous?.analysis && treeCopy(previous.analysis),
    events: [],
    wakeAt: [],
  };
}
