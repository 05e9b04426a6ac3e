// PURE: status.model and the ModelResolved condition of a models:/ URI, from what load found
// (src/registry). Without a registry URI both are removed. A status.history entry of a revision served
// because the URI resolved to its version names that URI (resolvedFrom), and keeps it.
import type { HistoryEntry, ModelDeploymentStatus } from '../api/index.ts';
import { MAX_RESOLUTIONS, type RegistryModelStatus } from '../api/registry-status.ts';
import type { Resolution } from '../registry/mlflow.ts';
import type { RegistryState } from '../registry/resolver.ts';
import { removeCondition, setCondition } from '../status/conditions.ts';

export const MODEL_RESOLVED = 'ModelResolved';

/**
 * `status` is the status computed by this reconcile; `written` the one read (status.model is carried
 * from it); `writtenHistory` its status.history (a resolvedFrom is carried from it).
 */
export function withRegistryStatus(
  status: ModelDeploymentStatus,
  written: RegistryModelStatus | undefined,
  registry: RegistryState | undefined,
  generation: number,
  now: string,
  writtenHistory: readonly HistoryEntry[] | undefined = undefined,
): ModelDeploymentStatus {
  if (status.history !== undefined) status = { ...status, history: withResolvedFrom(status.history, writtenHistory, registry?.resolution) };
  if (registry === undefined) {
    const { model: _model, ...rest } = status;
    return { ...rest, conditions: removeCondition(status.conditions, MODEL_RESOLVED) };
  }
  const r = registry.resolution;
  const failure = registry.failure;
  const conditions = failure
    ? setCondition(
        status.conditions,
        {
          type: MODEL_RESOLVED,
          status: 'False',
          reason: failure.reason === 'UnknownModelRegistry' ? 'RegistryUnavailable' : failure.reason,
          message: r !== undefined ? `${failure.message}; version ${r.version} resolved at ${r.resolvedAt} keeps serving` : failure.message,
          observedGeneration: generation,
        },
        now,
      )
    : setCondition(
        status.conditions,
        { type: MODEL_RESOLVED, status: 'True', reason: 'Resolved', message: r !== undefined ? `${r.uri} is version ${r.version} (${r.source})` : '', observedGeneration: generation },
        now,
      );
  if (r === undefined) return { ...status, ...(written !== undefined ? { model: written } : {}), conditions };
  const previous = written?.uri === r.uri ? written.resolutions : undefined;
  const newest = previous?.[0];
  const resolutions =
    newest !== undefined && newest.version === r.version && newest.source === r.source
      ? previous
      : [{ version: r.version, source: r.source, at: r.resolvedAt }, ...(previous ?? [])].slice(0, MAX_RESOLUTIONS);
  const model: RegistryModelStatus = { uri: r.uri, registry: r.registry, version: r.version, source: r.source, resolvedAt: r.resolvedAt, ...(resolutions ? { resolutions } : {}) };
  return { ...status, model, conditions };
}

/**
 * status.history with resolvedFrom: an entry recorded again for the same revision keeps the one it had;
 * an entry recorded by this reconcile (not in the history read) whose version and model source are what
 * the URI resolves to gets the URI, the registry and when it resolved. Older entries are left alone.
 */
export function withResolvedFrom(history: readonly HistoryEntry[], written: readonly HistoryEntry[] | undefined, resolution: Resolution | undefined): HistoryEntry[] {
  return history.map((e) => {
    if (e.resolvedFrom !== undefined) return e;
    const before = written?.find((p) => p.revision === e.revision && p.template === e.template && p.resolvedFrom !== undefined);
    if (before?.resolvedFrom !== undefined) return { ...e, resolvedFrom: before.resolvedFrom };
    const recordedNow = !(written ?? []).some((p) => p.revision === e.revision && p.at === e.at);
    if (resolution !== undefined && recordedNow && e.version === resolution.version && e.model.uri === resolution.source) {
      return { ...e, resolvedFrom: { uri: resolution.uri, registry: resolution.registry, resolvedAt: resolution.resolvedAt } };
    }
    return e;
  });
}
