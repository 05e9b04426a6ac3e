// PURE: `modelship top`'s rows from Prometheus's answers, and the table it prints. A row is one revision
// of one ModelDeployment; a column without data for it shows "-" (no traffic, no labels yet).
import type { TopColumn } from './top-queries.ts';

/** One series of an instant vector: its labels and its value (NaN and ±Inf as PromQL gives them). */
export interface VectorSample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

export interface TopRow {
  namespace: string;
  modelDeployment: string;
  variant: string;
  revision: string;
  requestRate?: number;
  errorRate?: number;
  p95?: number;
  accuracy?: number;
}

export function topRows(answers: Readonly<Record<TopColumn, readonly VectorSample[]>>): TopRow[] {
  const rows = new Map<string, TopRow>();
  for (const column of Object.keys(answers) as TopColumn[]) {
    for (const s of answers[column]) {
      const { namespace = '', model_deployment: modelDeployment = '', variant = '', revision = '' } = s.labels;
      if (modelDeployment === '') continue;
      const id = JSON.stringify([namespace, modelDeployment, variant, revision]);
      const row = rows.get(id) ?? { namespace, modelDeployment, variant, revision };
      if (Number.isFinite(s.value)) row[column] = s.value;
      rows.set(id, row);
    }
  }
  return [...rows.values()].sort(
    (a, b) =>
      a.namespace.localeCompare(b.namespace) ||
      a.modelDeployment.localeCompare(b.modelDeployment) ||
      Number(a.revision) - Number(b.revision) ||
      a.variant.localeCompare(b.variant),
  );
}

/** Three significant digits, whole numbers from 100: a rate Prometheus computes as 0.99999 reads 1. */
const rate = (v: number | undefined) => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3))));
const share = (v: number | undefined) => (v === undefined ? '-' : `${Number((v * 100).toFixed(2))}%`);
const ms = (v: number | undefined) => (v === undefined ? '-' : `${Number((v * 1000).toPrecision(3))}ms`);

/** Columns padded like kubectl's; the NAMESPACE column only when the rows span several namespaces or all were asked. */
export function formatTop(rows: readonly TopRow[], showNamespace: boolean): string {
  if (rows.length === 0) return 'No model traffic found: the inference agent (spec.monitoring.logging) exports these series.\n';
  const header = [...(showNamespace ? ['NAMESPACE'] : []), 'NAME', 'VARIANT', 'REVISION', 'REQ/S', 'ERRORS', 'P95', 'ACCURACY(1h)'];
  const lines = rows.map((r) => [
    ...(showNamespace ? [r.namespace] : []),
    r.modelDeployment,
    r.variant,
    r.revision,
    rate(r.requestRate),
    share(r.errorRate),
    ms(r.p95),
    share(r.accuracy),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  return [header, ...lines].map((l) => l.map((cell, i) => (i === l.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('   ')).join('\n') + '\n';
}
