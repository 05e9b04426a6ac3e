// `modelship top`: per ModelDeployment and revision, request rate, error rate, p95 and accuracy from
// Prometheus, read once and printed.
import { formatTop, topRows } from './format-top.ts';
import type { VectorSample } from './format-top.ts';
import { queryVector } from './prometheus-vector.ts';
import { TOP_COLUMNS, topQueries } from './top-queries.ts';
import type { TopColumn } from './top-queries.ts';

/** namespace undefined: every namespace. */
export async function top(address: string, namespace: string | undefined, out: (text: string) => void): Promise<void> {
  const queries = topQueries(namespace);
  const answers = Object.fromEntries(await Promise.all(TOP_COLUMNS.map(async (c) => [c, await queryVector(address, queries[c])] as const))) as Record<
    TopColumn,
    VectorSample[]
  >;
  out(formatTop(topRows(answers), namespace === undefined));
}
