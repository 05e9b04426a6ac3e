// Custom-metric queries are PromQL templates (spec.rollout.analysis.metrics[].query). A placeholder
// this code does not know is an error naming it, so a typo such as {{varaint}} is reported in status
// rather than sent to Prometheus as literal text that silently matches nothing.
import { escapeLabelValue, promqlDuration } from './promql-syntax.ts';
import type { AnalysisVariant } from './promql-syntax.ts';

export interface QueryTemplateValues {
  namespace: string;
  /** The ModelDeployment's name. */
  name: string;
  variant: AnalysisVariant;
  revision: number;
  /** The analysis interval in seconds; rendered as a PromQL duration such as 60s. */
  interval: number;
}

export const QUERY_PLACEHOLDERS = ['namespace', 'name', 'variant', 'revision', 'interval'] as const;

export type RenderedQuery = { query: string } | { error: string };

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function renderQueryTemplate(template: string, values: QueryTemplateValues): RenderedQuery {
  const text: Readonly<Record<string, string>> = {
    // Names and numbers never need escaping, but a value must not be able to end a PromQL string.
    namespace: escapeLabelValue(values.namespace),
    name: escapeLabelValue(values.name),
    variant: values.variant,
    revision: String(values.revision),
    interval: promqlDuration(values.interval),
  };
  const unknown = new Set<string>();
  const query = template.replace(PLACEHOLDER, (whole: string, key: string) => {
    const value = Object.hasOwn(text, key) ? text[key] : undefined;
    if (value === undefined) unknown.add(whole);
    return value ?? whole;
  });
  const known = QUERY_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ');
  if (unknown.size > 0) return { error: `unknown placeholder ${[...unknown].join(', ')} in the query (known: ${known})` };
  // Braces left over are a placeholder typed wrongly ({{name}, {{ {{name}}); PromQL never doubles them.
  if (/\{\{|\}\}/.test(query)) return { error: `unbalanced {{ or }} in the query (placeholders are ${known})` };
  return { query };
}
