// The vocabulary between the machine's concerns and transition.ts: each concern reads the state and
// returns intents; transition() alone applies them, so only it writes a phase or a message.
import type { HistoryOutcome } from '../api/rollout-status.ts';
import type { RunCount, ValidationObservation } from './analysis-state.ts';
import type { Context } from './decision-context.ts';
import type { HandledRequests, MachineState, RolledBack } from './machine-state.ts';
import type { RolloutEvent, VariantPlan } from './types.ts';

export type Intent =
  // --- bookkeeping: no phase, no message
  | { kind: 'emit'; event: RolloutEvent }
  | { kind: 'handled'; request: keyof HandledRequests; id: string }
  | { kind: 'hold-spec'; rolledBack: RolledBack | undefined }
  /** Stable serves `variant` from now on, in place, and history records it. */
  | { kind: 'serve'; variant: VariantPlan; outcome: HistoryOutcome }
  | { kind: 'record'; variant: VariantPlan; outcome: HistoryOutcome }
  | { kind: 'drop-canary' }
  | { kind: 'wake'; at: number }
  | { kind: 'trim-history' }
  // --- the canary's phase
  | { kind: 'start-canary'; variant: VariantPlan; reason: 'CanaryStarted' | 'CanaryRestarted'; why: string }
  | { kind: 'abort'; type: RolloutEvent['type']; why: string }
  | { kind: 'start-promotion'; why: string }
  | { kind: 'complete-promotion' }
  /** A weight step is walked. */
  | { kind: 'progressing' }
  /** A pause step is reached. */
  | { kind: 'pause' }
  /** Too many Inconclusive measurements: hold for a person. */
  | { kind: 'hold-inconclusive' }
  // --- the canary's weight, step and message
  | { kind: 'set-weight'; weight: number }
  /** Promotion: traffic leaves the canary. */
  | { kind: 'drain' }
  /** The router is seen without the leaving canary's Service (detach.ts). */
  | { kind: 'detached' }
  | { kind: 'advance' }
  /** Where the canary waits and why. */
  | { kind: 'wait'; message: string }
  // --- the evidence of the canary's revision
  | { kind: 'touch-evidence' }
  | { kind: 'validation-started'; method: 'smoke' | 'job' }
  | { kind: 'validation-observed'; observation: ValidationObservation }
  | { kind: 'measured'; count: RunCount; message: string }
  | { kind: 'await-traffic' }
  | { kind: 'open-analysis'; interval: string };

/** One concern's rules for one decision: what to do in state `s`. */
export type Stage = (ctx: Context, s: MachineState) => readonly Intent[];

export function emit(type: RolloutEvent['type'], reason: RolloutEvent['reason'], message: string): Intent {
  return { kind: 'emit', event: { type, reason, message } };
}
