// The body of POST /modelship/v1/feedback. Pure.
import { z } from 'zod';
import type { Value } from './labels.ts';

export const MAX_FEEDBACK_ITEMS = 10_000;

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const item = z.union([
  z.object({ requestId: z.string().min(1).max(200), label: scalar }).strict(),
  z.object({ requestId: z.string().min(1).max(200), labels: z.array(scalar).min(1).max(100_000) }).strict(),
]);
const body = z.union([item, z.array(item).min(1).max(MAX_FEEDBACK_ITEMS)]);

export interface Feedback {
  readonly requestId: string;
  readonly labels: readonly Value[];
}

const ITEM_SHAPE = '{"requestId","label"} or {"requestId","labels":[...]}';

/** One label item (a line of a labels file), or why not. */
export function parseFeedbackItem(json: unknown): { readonly ok: true; readonly item: Feedback } | { readonly ok: false; readonly error: string } {
  const parsed = item.safeParse(json);
  if (!parsed.success) return { ok: false, error: `expected ${ITEM_SHAPE}` };
  const i = parsed.data;
  return { ok: true, item: { requestId: i.requestId, labels: 'label' in i ? [i.label] : i.labels } };
}

export function parseFeedback(json: unknown): { readonly ok: true; readonly items: Feedback[] } | { readonly ok: false; readonly error: string } {
  const parsed = body.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue !== undefined && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, error: `expected ${ITEM_SHAPE} or an array of at most ${MAX_FEEDBACK_ITEMS} of them${where}` };
  }
  const items = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  return { ok: true, items: items.map((i) => ({ requestId: i.requestId, labels: 'label' in i ? [i.label] : i.labels })) };
}
