// The platform's settings files (Prometheus sources, model registries, retraining targets): YAML read with
// the line of a syntax error, and zod's issues turned into one line per problem naming the file and field,
// so an operator that refuses to start says exactly what to fix. Pure.
import { load } from 'js-yaml';
import type { z } from 'zod';

export type YamlResult = { ok: true; doc: unknown } | { ok: false; errors: string[] };

/** The document of `text`, or `empty` for a blank file. */
export function loadSettingsYaml(text: string, file: string, empty: unknown): YamlResult {
  try {
    return { ok: true, doc: text.trim() === '' ? empty : (load(text) ?? empty) };
  } catch (err) {
    const line = (err as { mark?: { line?: number } }).mark?.line;
    return { ok: false, errors: [`${file}: not YAML${line !== undefined ? ` (line ${line + 1})` : ''}`] };
  }
}

/** `<file>: <field path>: <problem>` for each issue; unknown fields named. */
export function settingsIssues(issues: readonly z.core.$ZodIssue[], file: string): string[] {
  return issues.map((i) => {
    const where = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    const what = i.code === 'unrecognized_keys' ? `unknown field ${i.keys.join(', ')}` : i.message;
    return `${file}: ${where.replace(/^\./, '') || '(top level)'}: ${what}`;
  });
}
