// Placeholders of custom-metric queries (spec.rollout.analysis.metrics[].query). The analysis renders
// them (src/analysis/render-query.ts) and the API refuses a query it could not render, since such a
// query makes every measurement an Error and the canary waits forever.

export const QUERY_PLACEHOLDERS = ['namespace', 'name', 'variant', 'revision', 'interval'] as const;
export type QueryPlaceholder = (typeof QUERY_PLACEHOLDERS)[number];

/** `{{namespace}}, {{name}}, ...` for messages. */
export const KNOWN_PLACEHOLDERS_TEXT = QUERY_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ');

// RE2's \s, so the API server's CEL and this code agree on what `{{ name }}` may hold around the name.
const SPACE = '[\\t\\n\\f\\r ]';

/** Every `{{...}}` without braces inside; group 1 is the name with the spaces around it trimmed. */
export const PLACEHOLDER = new RegExp(`\\{\\{${SPACE}*([^{}]*?)${SPACE}*\\}\\}`, 'g');

/**
 * The whole query in RE2, for CEL: text, known placeholders and single braces, never two same braces
 * in a row outside a placeholder. Placeholders can only be the last `{{` of a run of `{` up to the
 * first `}}` after it, so this accepts exactly what queryTemplateProblem accepts. Not for JS: the
 * nested repetition backtracks exponentially there.
 */
export const QUERY_TEMPLATE_RE2 = (() => {
  const singles = '\\}?(?:\\{\\})*\\{?';
  const known = `\\{\\{${SPACE}*(?:${QUERY_PLACEHOLDERS.join('|')})${SPACE}*\\}\\}`;
  return `^${singles}(?:(?:[^{}]|${known})+${singles})*$`;
})();

/** Why the template cannot be rendered, or undefined when it can. */
export function queryTemplateProblem(template: string): string | undefined {
  const known: readonly string[] = QUERY_PLACEHOLDERS;
  const unknown = new Set<string>();
  // Each placeholder becomes one brace-free character, as every value it is replaced by is.
  const rest = template.replace(PLACEHOLDER, (whole: string, name: string) => {
    if (!known.includes(name)) unknown.add(whole);
    return '_';
  });
  if (unknown.size > 0) return `unknown placeholder ${[...unknown].join(', ')} in the query (known: ${KNOWN_PLACEHOLDERS_TEXT})`;
  // Braces left over are a placeholder typed wrongly ({{name}, {{ {{name}}); PromQL never doubles them.
  if (/\{\{|\}\}/.test(rest)) return `unbalanced {{ or }} in the query (placeholders are ${KNOWN_PLACEHOLDERS_TEXT})`;
  return undefined;
}
