// Custom-metric queries are PromQL templates (spec.rollout.analysis.metrics[].query). A placeholder
// this code does not know is an error naming it, so a typo such as {{varaint}} is reported in status
// rather than sent to Prometheus as literal text that silently matches nothing.
import { PLACEHOLDER, queryTemplateProblem } from '../api/query-template.ts';
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

export { QUERY_PLACEHOLDERS } from '../api/query-template.ts';

export type RenderedQuery = { query: string } | { error: string };

export function renderQueryTemplate(template: string, values: QueryTemplateValues): RenderedQuery {
  // The API refuses these too, but objects stored before it did are not validated again.
  const problem = queryTemplateProblem(template);
  if (problem !== undefined) return { error: problem };
  const text: Readonly<Record<string, string>> = {
    // Names and numbers never need escaping, but a value must not be able to end a PromQL string.
    namespace: escapeLabelValue(values.namespace),
    name: escapeLabelValue(values.name),
    variant: values.variant,
    revision: String(values.revision),
    interval: promqlDuration(values.interval),
  };
  return { query: template.replace(PLACEHOLDER, (whole: string, key: string) => (Object.hasOwn(text, key) ? text[key] : undefined) ?? whole) };
}
