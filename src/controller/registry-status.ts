// PURE: status.model and the ModelResolved condition of a models:/ URI, from what load found
// (src/registry). Without a registry URI both are removed.
import type { ModelDeploymentStatus } from '../api/index.ts';
import { MAX_RESOLUTIONS, type RegistryModelStatus } from '../api/registry-status.ts';
import type { RegistryState } from '../registry/resolver.ts';
import { removeCondition, setCondition } from '../status/conditions.ts';

export const MODEL_RESOLVED = 'ModelResolved';

/** `status` is the status computed by this reconcile; `written` the one read (status.model is carried from it). */
export function withRegistryStatus(
  status: ModelDeploymentStatus,
  written: RegistryModelStatus | undefined,
  registry: RegistryState | undefined,
  generation: number,
  now: string,
): ModelDeploymentStatus {
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
