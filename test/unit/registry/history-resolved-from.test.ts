// status.history names the models:/ URI a revision was served for: the entry recorded when the alias
// resolved to its version gets resolvedFrom (URI, registry, when), keeps it when recorded again, and
// entries the URI did not resolve to, or recorded before, are left alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HistoryEntry } from '../../../src/api/index.ts';
import { historyEntrySchema } from '../../../src/api/rollout-status.ts';
import { withRegistryStatus, withResolvedFrom } from '../../../src/controller/registry-status.ts';

const res1 = { uri: 'models:/iris@champion', registry: 'mlflow', version: '1', source: 's3://models/iris/1', resolvedAt: '2026-01-01T00:00:00Z' };
const res2 = { ...res1, version: '2', source: 's3://models/iris/2', resolvedAt: '2026-01-02T00:00:00Z' };
const runtime = { image: 'ghcr.io/modelship/sklearn-server:1' };

const entry = (revision: number, version: string, uri: string, outcome: HistoryEntry['outcome'], at: string): HistoryEntry => ({
  revision,
  version,
  template: `t${revision}`,
  model: { name: 'iris', version, uri, format: 'sklearn' },
  runtime,
  outcome,
  at,
});
const from1 = { uri: res1.uri, registry: 'mlflow', resolvedAt: res1.resolvedAt };
const from2 = { uri: res2.uri, registry: 'mlflow', resolvedAt: res2.resolvedAt };

void test('the revision served for the alias names it; a promotion recorded later keeps the name', () => {
  // First reconcile: version 1 served in place for models:/iris@champion.
  const first = withResolvedFrom([entry(1, '1', res1.source, 'Replaced', '2026-01-01T00:00:05Z')], undefined, res1);
  assert.deepEqual(first[0]?.resolvedFrom, from1);
  assert.ok(historyEntrySchema.safeParse(first[0]).success, 'the CRD schema takes it');
  // The alias moved to 2; the canary of 2 is promoted: a new entry, the old one kept as it was.
  const promoted = withResolvedFrom([entry(2, '2', res2.source, 'Promoted', '2026-01-02T00:10:00Z'), ...first], first, res2);
  assert.deepEqual(
    promoted.map((e) => e.resolvedFrom),
    [from2, from1],
  );
  // A rollback to revision 1 records it again (outcome and time change): it still names the alias, as it resolved then.
  const rolledBack = withResolvedFrom([{ ...entry(1, '1', res1.source, 'RolledBack', '2026-01-02T01:00:00Z') }, promoted[0]!], promoted, res2);
  assert.deepEqual(
    rolledBack.map((e) => e.resolvedFrom),
    [from1, from2],
  );
  // Unchanged on the next reconcile.
  assert.deepEqual(withResolvedFrom(rolledBack, rolledBack, res2), rolledBack);
});

void test('entries the URI did not resolve to, and entries recorded before, get no resolvedFrom', () => {
  const plain = entry(1, '2', 's3://models/iris/2', 'Replaced', '2026-01-01T00:00:00Z'); // served from a plain s3:// spec
  // The spec now names the alias, which resolves to the same version: the old entry was not served for it.
  assert.equal(withResolvedFrom([plain], [plain], res2)[0]?.resolvedFrom, undefined);
  // Recorded now but another version (a rollback to a plain revision): not the URI's.
  assert.equal(withResolvedFrom([entry(3, '1', 's3://models/iris/1', 'RolledBack', '2026-01-03T00:00:00Z')], [plain], res2)[0]?.resolvedFrom, undefined);
  // No resolution (the spec names no registry): nothing new is named, what was named is kept.
  const named = { ...entry(2, '2', res2.source, 'Promoted', '2026-01-02T00:00:00Z'), resolvedFrom: from2 };
  assert.deepEqual(withResolvedFrom([named, entry(4, '3', 's3://x/3', 'Replaced', '2026-01-04T00:00:00Z')], [named], undefined).map((e) => e.resolvedFrom), [from2, undefined]);
});

void test('withRegistryStatus names the alias in the history it writes, and keeps names once the spec leaves the registry', () => {
  const now = '2026-01-03T00:00:00Z';
  const history = [entry(1, '1', res1.source, 'Replaced', '2026-01-01T00:00:05Z')];
  const s = withRegistryStatus({ history }, undefined, { resolution: res1 }, 1, now, undefined);
  assert.deepEqual(s.history?.[0]?.resolvedFrom, from1);
  assert.equal(s.model?.version, '1');
  const next = [entry(2, '2', 's3://plain/2', 'Replaced', '2026-01-04T00:00:00Z'), { ...history[0]!, outcome: 'Replaced' as const }];
  const plain = withRegistryStatus({ history: next }, s.model, undefined, 2, now, s.history);
  assert.deepEqual(
    plain.history?.map((e) => e.resolvedFrom),
    [undefined, from1],
  );
  assert.equal(plain.model, undefined);
});
