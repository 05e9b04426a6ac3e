// PURE: a ModelDeployment's status as the CLI prints it.

interface Cond {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface Variant {
  revision?: number;
  version?: string;
  step?: number;
  weight?: number;
  phase?: string;
  message?: string;
}

interface Traffic {
  variant?: string;
  weight?: number;
  exact?: boolean;
}

interface History {
  revision?: number;
  version?: string;
  outcome?: string;
  at?: string;
}

export interface StatusView {
  metadata?: { name?: string; namespace?: string; generation?: number };
  spec?: { model?: { version?: string }; rollout?: { strategy?: string; steps?: unknown[] } };
  status?: {
    observedGeneration?: number;
    url?: string;
    conditions?: Cond[];
    stable?: Variant;
    canary?: Variant;
    traffic?: Traffic[];
    history?: History[];
  };
}

export function formatStatus(md: StatusView): string {
  const s = md.status ?? {};
  const lines: string[] = [];
  const ready = s.conditions?.find((c) => c.type === 'Ready');
  lines.push(`ModelDeployment ${md.metadata?.namespace ?? ''}/${md.metadata?.name ?? ''}: ${ready ? `Ready=${ready.status} (${ready.reason ?? ''})` : 'no status yet'}`);
  if (s.url) lines.push(`URL:       ${s.url}`);
  lines.push(`Spec:      version ${md.spec?.model?.version ?? '?'}, generation ${md.metadata?.generation ?? '?'} (observed ${s.observedGeneration ?? '-'})`);
  if (s.stable) lines.push(`Stable:    version ${s.stable.version ?? '?'} (revision ${s.stable.revision ?? '?'})`);
  if (s.canary) {
    const steps = md.spec?.rollout?.steps?.length;
    const step = s.canary.step !== undefined ? `, step ${s.canary.step + 1}${steps ? `/${steps}` : ''}` : '';
    lines.push(`Canary:    version ${s.canary.version ?? '?'} (revision ${s.canary.revision ?? '?'})${step}, ${s.canary.phase ?? ''}${s.canary.message ? `: ${s.canary.message}` : ''}`);
  }
  if (s.traffic?.length) {
    lines.push(`Traffic:   ${s.traffic.map((t) => `${t.variant ?? '?'} ${t.weight ?? 0}%${t.exact === false ? ' (approximate)' : ''}`).join(', ')}`);
  }
  if (s.conditions?.length) {
    lines.push('Conditions:');
    for (const c of s.conditions) lines.push(`  ${c.type.padEnd(18)} ${c.status.padEnd(6)} ${(c.reason ?? '').padEnd(22)} ${c.message ?? ''}`.trimEnd());
  }
  if (s.history?.length) {
    lines.push('History:');
    for (const h of s.history) lines.push(`  revision ${String(h.revision ?? '?').padEnd(4)} version ${String(h.version ?? '?').padEnd(12)} ${(h.outcome ?? '').padEnd(11)} ${h.at ?? ''}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

/** The revision `rollback` targets without --to-revision: the newest promoted one that is not stable. */
export function previousGoodRevision(md: StatusView): number | undefined {
  const stable = md.status?.stable?.revision;
  return md.status?.history?.find((h) => h.revision !== undefined && h.revision !== stable && h.outcome === 'Promoted')?.revision;
}
