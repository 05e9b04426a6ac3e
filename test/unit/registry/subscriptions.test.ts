// The resolver's bookkeeping: one entry per (registry, URI) with the keys that use it, started when its
// first key comes and stopped when its last key goes, whatever the order of uses and drops.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Subscriptions } from '../../../src/registry/subscriptions.ts';

void test('fifty keys on one URI share one entry, started once and stopped when the last one leaves', () => {
  const s = new Subscriptions();
  const keys = Array.from({ length: 50 }, (_, i) => `ns/md-${i}`);
  const started = keys.map((k) => s.use(k, 'mlflow models:/iris@champion').started).filter((e) => e !== undefined);
  assert.deepEqual(started, ['mlflow models:/iris@champion']);
  assert.deepEqual(s.keysOf('mlflow models:/iris@champion'), keys);
  assert.deepEqual(s.use('ns/md-0', 'mlflow models:/iris@champion'), {}, 'using the same entry again changes nothing');
  for (const k of keys.slice(0, 49)) assert.deepEqual(s.drop(k), {});
  assert.deepEqual(s.drop('ns/md-49'), { stopped: 'mlflow models:/iris@champion' });
  assert.deepEqual(s.entries(), []);
  assert.deepEqual(s.drop('ns/md-49'), {}, 'a key dropped twice changes nothing');
});

void test('a key that moves to another URI leaves its entry, which stops when it was the last', () => {
  const s = new Subscriptions();
  s.use('ns/a', 'e1');
  s.use('ns/b', 'e1');
  assert.deepEqual(s.use('ns/a', 'e2'), { started: 'e2' });
  assert.deepEqual(s.keysOf('e1'), ['ns/b']);
  assert.deepEqual(s.use('ns/b', 'e2'), { stopped: 'e1' });
  assert.deepEqual(s.keysOf('e2'), ['ns/a', 'ns/b']);
  assert.equal(s.entryOf('ns/a'), 'e2');
});

type Op = { kind: 'use'; key: string; entry: string } | { kind: 'drop'; key: string };

void test('property: the entries are exactly those some key uses, each started once per life and stopped once', () => {
  const key = fc.constantFrom('ns/a', 'ns/b', 'ns/c', 'ns/d', 'other/a');
  const entry = fc.constantFrom('mlflow models:/iris@champion', 'mlflow models:/iris/2', 'other models:/iris@champion');
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('use' as const), key, entry }),
    fc.record({ kind: fc.constant('drop' as const), key }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const s = new Subscriptions();
      const model = new Map<string, string>(); // key -> entry
      const running = new Set<string>(); // entries started and not stopped
      for (const o of ops) {
        const change = o.kind === 'use' ? s.use(o.key, o.entry) : s.drop(o.key);
        if (o.kind === 'use') model.set(o.key, o.entry);
        else model.delete(o.key);
        if (change.stopped !== undefined) {
          assert.ok(running.has(change.stopped), 'only a running entry stops');
          running.delete(change.stopped);
        }
        if (change.started !== undefined) {
          assert.ok(!running.has(change.started), 'a running entry is not started again');
          running.add(change.started);
        }
        const used = new Set(model.values());
        assert.deepEqual(new Set(s.entries()), used, 'an entry lives exactly while a key uses it');
        assert.deepEqual(running, used, 'what was started and not stopped is what is used');
        for (const e of used) {
          assert.deepEqual(new Set(s.keysOf(e)), new Set([...model].filter(([, v]) => v === e).map(([k]) => k)));
        }
        for (const [k, e] of model) assert.equal(s.entryOf(k), e);
      }
    }),
  );
});
