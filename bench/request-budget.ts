// PURE: a controller's request budget over one phase, from the API server's audit log: how many
// requests it sent, of which verbs, and the rate it actually reached (clients throttle themselves, so
// the rate is what their settings let through, summed over every client the controller uses).
import type { AuditEntry } from './audit-log.ts';
import { round } from './stats.ts';

export const BUDGET_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'apply', 'delete'] as const;

export interface RequestBudget {
  readonly requests: number;
  readonly byVerb: Record<string, number>;
  /** Requests per parent object (ModelDeployment or InferenceService), by verb. */
  readonly perModel: { readonly total: number; readonly byVerb: Record<string, number> };
  /** Writes per parent object by verb and resource, e.g. "apply deployments", "patch modeldeployments/status". */
  readonly writesPerModel: Record<string, number>;
  /** Event writes (also in the counts above); they trail behind on a limiter of their own in modelship. */
  readonly events: number;
  /** From the first request received to the last, in the phase, Events left out. */
  readonly busySeconds: number;
  /** Requests other than Events / busySeconds. */
  readonly meanPerSecond: number;
  /** The most requests (Events left out) received in one wall-clock second. */
  readonly peakPerSecond: number;
}

const WRITES = new Set(['create', 'update', 'patch', 'apply', 'delete', 'deletecollection']);

export function requestBudget(entries: readonly AuditEntry[], user: string, models: number): RequestBudget {
  const mine = entries.filter((e) => e.user === user);
  const byVerb: Record<string, number> = {};
  const writes: Record<string, number> = {};
  const perSecond = new Map<number, number>();
  let first = Infinity;
  let last = -Infinity;
  for (const e of mine) {
    byVerb[e.verb] = (byVerb[e.verb] ?? 0) + 1;
    if (WRITES.has(e.verb)) {
      const key = `${e.verb} ${e.resource}${e.subresource ? `/${e.subresource}` : ''}`;
      writes[key] = (writes[key] ?? 0) + 1;
    }
    if (e.at > 0 && e.resource !== 'events') {
      first = Math.min(first, e.at);
      last = Math.max(last, e.at);
      const second = Math.floor(e.at / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
  }
  const busySeconds = last > first ? (last - first) / 1000 : 0;
  const per = (n: number) => (models > 0 ? round(n / models, 2) : NaN);
  const ordered = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, per(v)]));
  return {
    requests: mine.length,
    byVerb,
    perModel: { total: per(mine.length), byVerb: ordered(byVerb) },
    writesPerModel: ordered(writes),
    events: mine.filter((e) => e.resource === 'events').length,
    busySeconds: round(busySeconds, 1),
    meanPerSecond: busySeconds > 0 ? round([...perSecond.values()].reduce((a, b) => a + b, 0) / busySeconds, 1) : NaN,
    peakPerSecond: Math.max(0, ...perSecond.values()),
  };
}
