// Tenant scoping of every analysis query (docs/analysis.md): each series selector of the parsed query
// gets a namespace="<ModelDeployment's namespace>" matcher, so a query can only read series of its own
// namespace. The query is parsed by Prometheus' own UI parser and printed back from the tree positions
// with matchers inserted, so it stays otherwise identical. A query that does not parse, or that has a
// namespace matcher other than exactly this namespace, is refused: rewriting it would change its meaning.
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode, Tree } from '@lezer/common';
import { LABEL_NAMESPACE, escapeLabelValue, stringLiteralValue } from './promql-syntax.ts';

export type ScopedQuery = { query: string } | { refused: string };

export function scopeQuery(query: string, namespace: string): ScopedQuery {
  const first = scopeEdits(query, namespace);
  if ('refused' in first) return first;
  const scoped = applyEdits(query, first.edits);
  // The printed query is checked again, so a gap in the rewrite refuses the query rather than running it.
  const check = scopeEdits(scoped, namespace);
  if ('refused' in check || check.edits.length > 0) return { refused: `the query could not be confined to namespace ${namespace}` };
  return { query: scoped };
}

interface Edit {
  at: number;
  text: string;
}

function scopeEdits(query: string, namespace: string): { edits: Edit[] } | { refused: string } {
  const tree: Tree = parser.parse(query);
  const selectors: SyntaxNode[] = [];
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError) error ??= node.from;
      else if (node.name === 'VectorSelector') selectors.push(node.node);
    },
  });
  if (error !== undefined) return { refused: `the query does not parse as PromQL (at character ${error + 1})` };
  if (selectors.length === 0) return { edits: [] };
  const matcher = `${LABEL_NAMESPACE}="${escapeLabelValue(namespace)}"`;
  const edits: Edit[] = [];
  for (const selector of selectors) {
    const matchers = selector.getChild('LabelMatchers');
    const text = (n: SyntaxNode) => query.slice(n.from, n.to);
    if (matchers === null) {
      edits.push({ at: selector.to, text: `{${matcher}}` });
      continue;
    }
    const all = matchers.getChildren('UnquotedLabelMatcher').concat(matchers.getChildren('QuotedLabelMatcher'));
    // A quoted name this code cannot decode might spell namespace.
    const unreadable = all.find((m) => labelName(m, text) === undefined);
    if (unreadable !== undefined) return { refused: `the label name in ${text(unreadable)} cannot be read` };
    const onNamespace = all.filter((m) => labelName(m, text) === LABEL_NAMESPACE);
    const foreign = onNamespace.find((m) => !equalsNamespace(m, text, namespace));
    if (foreign !== undefined) {
      return { refused: `the selector ${text(selector)} matches ${text(foreign)}: a query reads namespace ${namespace} only` };
    }
    if (onNamespace.length > 0) continue;
    edits.push({ at: matchers.from + 1, text: /^\{\s*\}$/.test(text(matchers)) ? matcher : `${matcher},` });
  }
  return { edits };
}

/** A matcher's label name; undefined for a quoted name this code cannot decode. */
function labelName(m: SyntaxNode, text: (n: SyntaxNode) => string): string | undefined {
  const plain = m.getChild('LabelName');
  if (plain !== null) return text(plain);
  const quoted = m.getChild('QuotedLabelName')?.getChild('StringLiteral');
  return quoted ? stringLiteralValue(text(quoted)) : undefined;
}

function equalsNamespace(m: SyntaxNode, text: (n: SyntaxNode) => string, namespace: string): boolean {
  const op = m.getChild('MatchOp')?.firstChild?.name;
  const value = m.getChildren('StringLiteral').at(-1);
  return op === 'EqlSingle' && value !== undefined && stringLiteralValue(text(value)) === namespace;
}

function applyEdits(query: string, edits: readonly Edit[]): string {
  let out = query;
  for (const e of [...edits].sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.at);
  return out;
}
