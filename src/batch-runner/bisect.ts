// Scoring a batch whose request the model refuses (4xx): halves are sent again until the single records
// it refuses are found; the others are scored. Pure given `infer`.

export type InferOutcome = { readonly ok: true; readonly predictions: readonly unknown[] } | { readonly ok: false; readonly reason: string };

export type Scored = { readonly ok: true; readonly prediction: unknown } | { readonly ok: false; readonly reason: string };

/** One result per row, in order. `infer` throws on transient failures, which end the whole batch. */
export async function scoreWithBisection<R>(rows: readonly R[], infer: (rows: readonly R[]) => Promise<InferOutcome>): Promise<Scored[]> {
  if (rows.length === 0) return [];
  const outcome = await infer(rows);
  if (outcome.ok) return outcome.predictions.map((prediction) => ({ ok: true, prediction }));
  if (rows.length === 1) return [{ ok: false, reason: outcome.reason }];
  const half = Math.ceil(rows.length / 2);
  const left = await scoreWithBisection(rows.slice(0, half), infer);
  const right = await scoreWithBisection(rows.slice(half), infer);
  return [...left, ...right];
}
