// render and validate: the same schema, rules and renderer as the operator, with no cluster. render prints
// what the operator's first reconcile applies (src/controller/first-apply.ts: routes and per-variant Services
// included), less the owner reference and desired-hash annotation, which depend on a uid only the cluster knows.
import { loadAll } from 'js-yaml';
import { formatFieldErrors, parseModelDeployment } from '../api/index.ts';
import { firstApply } from '../controller/first-apply.ts';
import { toYamlStream } from '../yaml.ts';

export interface OfflineResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Every document of every input that is a ModelDeployment; other kinds are skipped. */
function documents(inputs: readonly { name: string; text: string }[]): { source: string; doc: unknown }[] {
  const out: { source: string; doc: unknown }[] = [];
  for (const { name, text } of inputs) {
    loadAll(text).forEach((doc, i) => {
      const kind = (doc as { kind?: unknown } | null)?.kind;
      if (doc && (kind === undefined || kind === 'ModelDeployment')) out.push({ source: `${name}#${i + 1}`, doc });
    });
  }
  return out;
}

function label(source: string, doc: unknown): string {
  const name = (doc as { metadata?: { name?: unknown } }).metadata?.name;
  return `${source}${typeof name === 'string' ? ` (${name})` : ''}`;
}

export function validate(inputs: readonly { name: string; text: string }[]): OfflineResult {
  const docs = documents(inputs);
  const errors: string[] = [];
  for (const { source, doc } of docs) {
    const parsed = parseModelDeployment(doc);
    if (!parsed.ok) errors.push(`${label(source, doc)}:\n${formatFieldErrors(parsed.errors).replace(/^/gm, '  ')}`);
  }
  if (docs.length === 0) return { ok: false, stdout: '', stderr: 'no ModelDeployment found in the input\n' };
  return errors.length
    ? { ok: false, stdout: '', stderr: `${errors.join('\n')}\n${errors.length} of ${docs.length} invalid\n` }
    : { ok: true, stdout: `${docs.length} ModelDeployment${docs.length === 1 ? '' : 's'} valid\n`, stderr: '' };
}

/**
 * A batch ModelDeployment's first apply creates no serving objects and no run (at most the ConfigMap its
 * run pods mount): each run's Job is created by the operator when it is due or requested, owned by the
 * ModelDeployment. Printing such a Job would invite applying it unowned, so render says so on stderr.
 */
function batchNote(what: string, schedule: string | undefined): string {
  const when = schedule !== undefined ? `on schedule "${schedule}" and on demand` : 'on demand';
  return `${what}: mode batch: the operator creates each run's Job ${when} (modelship batch run <name>); nothing else is applied`;
}

export function render(inputs: readonly { name: string; text: string }[], namespace = 'default'): OfflineResult {
  const docs = documents(inputs);
  const objects: unknown[] = [];
  const errors: string[] = [];
  const notes: string[] = [];
  for (const { source, doc } of docs) {
    const parsed = parseModelDeployment(doc);
    if (!parsed.ok) {
      errors.push(`${label(source, doc)}:\n${formatFieldErrors(parsed.errors).replace(/^/gm, '  ')}`);
      continue;
    }
    const md = { ...parsed.value, metadata: { ...parsed.value.metadata, namespace: parsed.value.metadata.namespace ?? namespace } };
    const annotations = (doc as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations;
    const first = firstApply(md, { now: new Date(), ...(annotations ? { annotations } : {}) });
    if (first.ok) objects.push(...first.objects);
    if (first.ok && md.spec.mode === 'batch') notes.push(batchNote(label(source, doc), md.spec.batch?.schedule));
    if (!first.ok) errors.push(`${label(source, doc)}: ${first.error.field}: ${first.error.message}`);
  }
  if (docs.length === 0) return { ok: false, stdout: '', stderr: 'no ModelDeployment found in the input\n' };
  const stderr = [...notes, ...errors];
  return { ok: errors.length === 0, stdout: objects.length ? toYamlStream(objects) : '', stderr: stderr.length ? `${stderr.join('\n')}\n` : '' };
}
