// The body of POST /modelship/v1/feedback. Pure.
// Checked by hand rather than with zod: zod's module graph is about 16 MiB resident, and the agent, a
// container in every logged model pod, loads this file whenever logging is on (labels files share it).
import type { Value } from './labels.ts';

export const MAX_FEEDBACK_ITEMS = 10_000;
const MAX_REQUEST_ID_CHARS = 200;
const MAX_LABELS = 100_000;

export interface Feedback {
  readonly requestId: string;
  readonly labels: readonly Value[];
}

const ITEM_SHAPE = '{"requestId","label"} or {"requestId","labels":[...]}';

const isScalar = (v: unknown): v is Value => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';

/** `{requestId, label}` or `{requestId, labels: [...]}` with no other key, else undefined. */
function feedbackItem(json: unknown): Feedback | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  const keys = Object.keys(o);
  const requestId = o.requestId;
  if (keys.length !== 2 || typeof requestId !== 'string' || requestId.length < 1 || requestId.length > MAX_REQUEST_ID_CHARS) return undefined;
  if ('label' in o) return isScalar(o.label) ? { requestId, labels: [o.label] } : undefined;
  const labels = o.labels;
  if (!Array.isArray(labels) || labels.length < 1 || labels.length > MAX_LABELS || !labels.every(isScalar)) return undefined;
  return { requestId, labels };
}

/** One label item (a line of a labels file), or why not. */
export function parseFeedbackItem(json: unknown): { readonly ok: true; readonly item: Feedback } | { readonly ok: false; readonly error: string } {
  const item = feedbackItem(json);
  return item !== undefined ? { ok: true, item } : { ok: false, error: `expected ${ITEM_SHAPE}` };
}

export function parseFeedback(json: unknown): { readonly ok: true; readonly items: Feedback[] } | { readonly ok: false; readonly error: string } {
  const refused = (where: string) => ({ ok: false as const, error: `expected ${ITEM_SHAPE} or an array of at most ${MAX_FEEDBACK_ITEMS} of them${where}` });
  if (!Array.isArray(json)) {
    const item = feedbackItem(json);
    return item !== undefined ? { ok: true, items: [item] } : refused('');
  }
  if (json.length < 1 || json.length > MAX_FEEDBACK_ITEMS) return refused(` (got ${json.length})`);
  const items: Feedback[] = [];
  for (const [i, element] of json.entries()) {
    const item = feedbackItem(element);
    if (item === undefined) return refused(` at item ${i}`);
    items.push(item);
  }
  return { ok: true, items };
}
