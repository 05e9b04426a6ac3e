// The rollout parts of status (docs/rollouts.md "State and the machine"): which revision each
// variant serves, the traffic split, the history of revisions and the requests already handled.
// Written only by the operator; the pure machine in src/rollout reads them back on every
// reconcile, which is how a restarted operator resumes a rollout where it was.
import { z } from 'zod';
import { int32, int64, listMap } from './common.ts';
import { DNS_LABEL_MAX, MAX_HISTORY, MAX_SHORT_STRING, MAX_URI_LENGTH } from './limits.ts';

export const CANARY_PHASES = ['Progressing', 'Paused', 'Promoting', 'Aborted'] as const;
export type CanaryPhase = (typeof CANARY_PHASES)[number];

export const HISTORY_OUTCOMES = ['Promoted', 'Aborted', 'RolledBack', 'Replaced'] as const;
export type HistoryOutcome = (typeof HISTORY_OUTCOMES)[number];

export const ROLLOUT_REQUESTS = ['promote', 'abort', 'rollback', 'retry'] as const;
export type RolloutRequestKind = (typeof ROLLOUT_REQUESTS)[number];

/** Length of a template hash (hex). */
export const TEMPLATE_HASH_LENGTH = 16;

// Described once, on status.stable, to keep the CRD small.
const revision = () => int64().min(1);
const version = () => z.string().max(DNS_LABEL_MAX);
const template = () => z.string().max(64);
const time = (what: string) => z.iso.datetime().describe(what);

/**
 * A copy of spec.model or spec.runtime, kept as-is: validated again (src/rollout) before it is
 * rendered, so a status written by an older operator never makes the object unreadable.
 */
const snapshot = (description: string) =>
  z.looseObject({}).meta({ 'x-kubernetes-preserve-unknown-fields': true, description });

export const stableStatusSchema = z
  .object({
    revision: revision().describe('Revision number: one per distinct spec.model + spec.runtime.'),
    version: version().describe('spec.model.version of that revision.'),
    template: template().describe('Hash of spec.model and spec.runtime of that revision.'),
  })
  .describe('The revision the stable variant serves.');

export const canaryStatusSchema = z
  .object({
    revision: revision(),
    version: version(),
    template: template(),
    step: int32().min(0).describe('Index of the current step in spec.rollout.steps; equal to their number once all are done.'),
    weight: int32().min(0).max(100).describe('Percent of traffic the canary is asked to take now.'),
    phase: z.enum(CANARY_PHASES).describe('Progressing, Paused (a pause step), Promoting or Aborted.'),
    stepStartedAt: time('When the current step, promotion stage or abort began.').optional(),
    detachedAt: time(
      'Routers: when the router objects were seen without the canary after a promotion drained it or an abort; its pods go scaleDownDelaySeconds (at least a short propagation grace) later.',
    ).optional(),
    message: z.string().max(1024).optional().describe('What the canary waits for, in a sentence.'),
    model: snapshot('spec.model of the canary, so it is served until removed even when the spec moved on.').optional(),
    runtime: snapshot('spec.runtime of the canary.').optional(),
  })
  .describe('The variant under evaluation, while a rollout runs (and after an abort, until the spec changes or a retry).');

export const trafficStatusSchema = z.object({
  variant: z.enum(['stable', 'canary']).describe('stable or canary.'),
  weight: int32().min(0).max(100).describe('Percent of traffic the variant receives.'),
  exact: z.boolean().describe('False when the weight is approximated by replica counts (provider replicas).'),
});

export const historyEntrySchema = z
  .object({
    revision: revision(),
    version: version(),
    template: template(),
    model: snapshot('spec.model of that revision, so that it can be served again.'),
    runtime: snapshot('spec.runtime of that revision, so that it can be served again.'),
    outcome: z
      .enum(HISTORY_OUTCOMES)
      .describe('What last happened to it: Promoted (canary done), Replaced (in place), RolledBack (served again by a rollback) or Aborted.'),
    at: time('When that happened.'),
    resolvedFrom: z
      .object({
        uri: z.string().max(MAX_URI_LENGTH).describe('The models:/ URI, e.g. models:/iris@champion.'),
        registry: z.string().max(DNS_LABEL_MAX).describe('The registry that resolved it.'),
        resolvedAt: time('When the URI was first seen resolving to this version.'),
      })
      .optional()
      .describe("For a revision served because spec.model.uri named a model registry's alias or version: that URI, which resolved to this revision's version and model source."),
  })
  .describe('One revision and its outcome.');

const requestId = () => z.string().max(MAX_SHORT_STRING);

export const rolloutStateSchema = z
  .object({
    handledRequests: z
      .object({
        promote: requestId().optional(),
        abort: requestId().optional(),
        rollback: requestId().optional(),
        retry: requestId().optional(),
      })
      .optional()
      .describe('Id of the last request annotation (modelship.io/promote, abort, rollback, retry) acted on.'),
    lastRevision: int64().min(1).optional().describe('Highest revision number given so far.'),
    rolledBack: z
      .object({
        template: template(),
        revision: revision().optional(),
        at: time('When the rollback happened.'),
      })
      .optional()
      .describe("After a rollback request: the spec's template, not rolled out again until the spec changes or a retry."),
  })
  .describe('Bookkeeping of the rollout logic.');

export const historySchema = z.array(historyEntrySchema).max(MAX_HISTORY).describe('Revisions, newest first.');
export const trafficListSchema = listMap(trafficStatusSchema, 'variant', 2).describe('Traffic per variant.');

export type StableStatus = z.output<typeof stableStatusSchema>;
export type CanaryStatus = z.output<typeof canaryStatusSchema>;
export type TrafficStatus = z.output<typeof trafficStatusSchema>;
export type HistoryEntry = z.output<typeof historyEntrySchema>;
export type RolloutState = z.output<typeof rolloutStateSchema>;
