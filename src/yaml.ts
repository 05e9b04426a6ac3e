// Deterministic YAML: the same objects always give the same bytes (insertion-ordered keys, no
// anchors, no line folding), for generated CRDs and golden files.
import { dump } from 'js-yaml';

export function toYaml(value: unknown): string {
  return dump(value, { noRefs: true, lineWidth: -1, quoteStyle: 'double' });
}

/** Several objects as one multi-document YAML stream. */
export function toYamlStream(values: readonly unknown[]): string {
  return values.map((v) => `---\n${toYaml(v)}`).join('');
}
