// PURE: acting on the request annotations (docs/rollouts.md "Requests"): rollback, retry, abort and
// promote, each once per id. Each request is one stage: it reads the state the previous one left.
import { ABORT_ANNOTATION, PROMOTE_ANNOTATION, RETRY_ANNOTATION, ROLLBACK_ANNOTATION } from '../api/rollout-annotations.ts';
import { describe, type Context } from './decision-context.ts';
import { entryPlan, isKnownGood } from './history.ts';
import { emit, type Intent, type Stage } from './intents.ts';
import type { HandledRequests, MachineState } from './machine-state.ts';
import { requestId } from './requests.ts';
import { specPlan } from './revisions.ts';
import { andThen } from './transition.ts';

type Kind = keyof HandledRequests;

function ignore(annotation: string, id: string, why: string): Intent[] {
  return [emit('Warning', 'RequestIgnored', `${annotation}=${id} ignored: ${why}`)];
}

/** The id of a request not acted on yet; normalized again (parseRolloutRequests does it too) so that status always accepts it. */
function newId(s: MachineState, kind: Kind, raw: string | undefined): string | undefined {
  const id = requestId(raw);
  return id === undefined || s.handled[kind] === id ? undefined : id;
}

function rollback(ctx: Context, s: MachineState, id: string, revision: number | undefined): Intent[] {
  const stable = s.stable!;
  const target =
    revision !== undefined
      ? s.history.find((e) => e.revision === revision)
      : s.history.find((e) => isKnownGood(e) && e.revision !== stable.revision && entryPlan(e) !== undefined);
  const canaryRuns = s.canary !== undefined && s.canary.phase !== 'Aborted';
  if (target === undefined) {
    const why = revision !== undefined ? `revision ${revision} is not in status.history` : 'status.history has no known-good revision other than stable';
    return ignore(ROLLBACK_ANNOTATION, id, why);
  }
  if (!isKnownGood(target)) return ignore(ROLLBACK_ANNOTATION, id, `${describe(target)} was aborted; it is not known-good`);
  const plan = entryPlan(target);
  if (plan === undefined) return ignore(ROLLBACK_ANNOTATION, id, `the model or runtime kept for ${describe(target)} is no longer valid`);
  if (target.revision === stable.revision && !canaryRuns) return ignore(ROLLBACK_ANNOTATION, id, `${describe(target)} is already stable`);

  const moves: Intent[] = [];
  if (canaryRuns) moves.push({ kind: 'abort', type: 'Warning', why: `rollback to ${describe(target)} requested` });
  if (target.revision !== stable.revision) {
    moves.push({ kind: 'serve', variant: plan, outcome: 'RolledBack' }, emit('Normal', 'RolledBack', `rolled back from ${describe(stable)} to ${describe(plan)} without steps`));
  }
  // Git still asks for its template: hold it until the spec changes or a retry, unless an aborted
  // canary already holds it (or Git asks for what is served now).
  return andThen(ctx, s, moves, (next) => {
    const heldByCanary = next.canary?.phase === 'Aborted' && next.canary.template === ctx.specTemplate;
    if (ctx.specTemplate === plan.template || heldByCanary) return [{ kind: 'hold-spec', rolledBack: undefined }];
    const known = next.stable?.template === ctx.specTemplate ? undefined : next.history.find((e) => e.template === ctx.specTemplate);
    return [{ kind: 'hold-spec', rolledBack: { template: ctx.specTemplate, ...(known ? { revision: known.revision } : {}), at: ctx.at } }];
  });
}

function retry(ctx: Context, s: MachineState, id: string): Intent[] {
  const c = s.canary;
  if (c?.phase === 'Aborted' && c.template === ctx.specTemplate) {
    return andThen(ctx, s, [{ kind: 'drop-canary' }], (next) => [
      { kind: 'start-canary', variant: specPlan(ctx, next), reason: 'CanaryRestarted', why: 'restarts from step 0 (retry requested)' },
    ]);
  }
  if (s.rolledBack !== undefined && s.rolledBack.template === ctx.specTemplate) {
    // Someone rolled back from it: with strategy canary it walks the steps again, even if it was
    // promoted before; with immediate followSpec serves it at once.
    const released: Intent[] = [{ kind: 'hold-spec', rolledBack: undefined }];
    if (ctx.settings.strategy !== 'canary' || ctx.specTemplate === s.stable!.template) return released;
    const why = `retried after the rollback to ${describe(s.stable!)}: starts from step 0`;
    return andThen(ctx, s, released, (next) => [{ kind: 'start-canary', variant: specPlan(ctx, next), reason: 'CanaryStarted', why }]);
  }
  return ignore(RETRY_ANNOTATION, id, 'no aborted canary or rollback holds the spec back');
}

function abort(s: MachineState, id: string): Intent[] {
  const c = s.canary;
  if (c !== undefined && c.phase !== 'Aborted') return [{ kind: 'abort', type: 'Warning', why: 'abort requested' }];
  return ignore(ABORT_ANNOTATION, id, c === undefined ? 'no canary is running' : `canary ${describe(c)} is already aborted`);
}

function promote(s: MachineState, id: string): Intent[] {
  const c = s.canary;
  if (c === undefined) return ignore(PROMOTE_ANNOTATION, id, 'no canary is running');
  if (c.phase === 'Aborted') return ignore(PROMOTE_ANNOTATION, id, `canary ${describe(c)} was aborted; retry it first`);
  if (c.phase === 'Promoting') return ignore(PROMOTE_ANNOTATION, id, `canary ${describe(c)} is already being promoted`);
  return [{ kind: 'start-promotion', why: 'promotion requested' }];
}

/** A request stage: marks the id handled, then acts (or, with `act` undefined, only marks it). */
function stage(kind: Kind, raw: (ctx: Context) => string | undefined, act?: (ctx: Context, s: MachineState, id: string) => Intent[]): Stage {
  return (ctx, s) => {
    const id = newId(s, kind, raw(ctx));
    if (id === undefined) return [];
    const handled: Intent[] = [{ kind: 'handled', request: kind, id }];
    return act === undefined ? handled : andThen(ctx, s, handled, (next) => act(ctx, next, id));
  };
}

/**
 * Each request acts once per id, in this order: rollback, retry, abort, promote. An abort thus
 * wins over a retry or a promote that arrive with it: the canary ends at weight 0.
 */
export const requestStages: readonly Stage[] = [
  stage('rollback', (ctx) => ctx.requests.rollback?.id, (ctx, s, id) => rollback(ctx, s, id, ctx.requests.rollback?.revision)),
  stage('retry', (ctx) => ctx.requests.retry, retry),
  stage('abort', (ctx) => ctx.requests.abort, (_ctx, s, id) => abort(s, id)),
  stage('promote', (ctx) => ctx.requests.promote, (_ctx, s, id) => promote(s, id)),
];

/** Marks every pending request handled without acting (first deploy: there is nothing to act on). */
export const settleStages: readonly Stage[] = [
  stage('rollback', (ctx) => ctx.requests.rollback?.id),
  stage('abort', (ctx) => ctx.requests.abort),
  stage('retry', (ctx) => ctx.requests.retry),
  stage('promote', (ctx) => ctx.requests.promote),
];
