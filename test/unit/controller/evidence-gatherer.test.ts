// The evidence gatherer's bookkeeping, with injected sources: one fetch per key and request however
// often it is asked, a missed deadline becomes evidence, a result is taken once and brings its key
// back, requests no longer asked for and deleted objects are forgotten, the cache is read at take;
// fetches are bounded in number and shared fairly between namespaces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { EvidenceGatherer, type Evidence, type EvidenceSources, type EvidenceSubject } from '../../../src/controller/evidence-gatherer.ts';
import type { EvidenceRequest } from '../../../src/rollout/index.ts';
import { spec } from '../rollout/builders.ts';

const SUBJECT: EvidenceSubject = { key: 'ml/fraud', namespace: 'ml', name: 'fraud', spec: spec() };
const SMOKE: EvidenceRequest = { kind: 'smoke-check', revision: 2 };
const MEASURE: EvidenceRequest = { kind: 'measurement', revision: 2, stableRevision: 1, windowStartedAt: '2025-06-01T12:00:00Z', intervalMs: 60_000, pValue: 1 };
const JOB: EvidenceRequest = { kind: 'job-result', revision: 2 };
const PASSED: Evidence = { validation: { revision: 2, method: 'smoke', phase: 'Passed', message: 'ok' } };

/** A fetch the test finishes by hand. */
interface Pending {
  request: EvidenceRequest;
  signal: AbortSignal;
  finish(evidence: Evidence | undefined): void;
}

function harness(options: { deadlineMs?: number; cache?: Evidence; concurrency?: number } = {}) {
  const fetches: (Pending & { subject: EvidenceSubject })[] = [];
  const load: { waiting: number; inFlight: number } = { waiting: -1, inFlight: -1 };
  const requeued: { key: string; delayMs: number }[] = [];
  let cacheReads = 0;
  const sources: EvidenceSources = {
    inCache: (r) => r.kind === 'job-result',
    readCache: () => {
      cacheReads++;
      return options.cache ?? {};
    },
    fetch: (subject, request, signal) =>
      new Promise((resolve) => {
        fetches.push({ subject, request, signal, finish: resolve });
      }),
    timedOut: (request, deadlineMs) =>
      request.kind === 'smoke-check'
        ? { validation: { revision: request.revision, method: 'smoke', phase: 'Failed', message: `late: ${deadlineMs}` } }
        : { analysisRun: { revision: request.revision, verdict: 'Error', measurements: [], pValue: 1, message: 'late' } },
  };
  const gatherer = new EvidenceGatherer({
    sources,
    requeue: (key, delayMs) => requeued.push({ key, delayMs }),
    log: pino({ level: 'silent' }),
    deadlineMs: options.deadlineMs ?? 60_000,
    retryMs: 5000,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    metrics: { waiting: (n) => (load.waiting = n), inFlight: (n) => (load.inFlight = n) },
  });
  return { gatherer, fetches, requeued, cacheReads: () => cacheReads, load };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

void test('one fetch per key and request, however many reconciles ask; another key or request fetches on its own', () => {
  const { gatherer, fetches } = harness();
  gatherer.request(SUBJECT, [SMOKE]);
  gatherer.request(SUBJECT, [SMOKE]);
  gatherer.request(SUBJECT, [SMOKE, MEASURE]);
  gatherer.request({ ...SUBJECT, key: 'ml/other', name: 'other' }, [SMOKE]);
  assert.deepEqual(
    fetches.map((f) => f.request.kind),
    ['smoke-check', 'measurement', 'smoke-check'],
  );
  gatherer.stop();
});

void test('a finished fetch requeues its key at once; its result is taken once, then the same request fetches again', async () => {
  const { gatherer, fetches, requeued } = harness();
  gatherer.request(SUBJECT, [SMOKE]);
  assert.deepEqual(gatherer.take(SUBJECT), {}, 'nothing before the fetch finished');
  fetches[0]!.finish(PASSED);
  await settled();
  assert.deepEqual(requeued, [{ key: 'ml/fraud', delayMs: 0 }]);
  gatherer.request(SUBJECT, [SMOKE]); // a reconcile between the finish and the take: no second fetch
  assert.equal(fetches.length, 1);
  assert.deepEqual(gatherer.take(SUBJECT), PASSED);
  assert.deepEqual(gatherer.take(SUBJECT), {}, 'consumed once');
  // Its status write failed (conflict): the machine asks again, and it is fetched again.
  gatherer.request(SUBJECT, [SMOKE]);
  assert.equal(fetches.length, 2);
  gatherer.stop();
});

void test('a fetch past its deadline becomes evidence (never an exception) and requeues the key', async () => {
  const { gatherer, fetches, requeued } = harness({ deadlineMs: 20 });
  gatherer.request(SUBJECT, [SMOKE, MEASURE]);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.ok(fetches.every((f) => f.signal.aborted), 'the fetches are told');
  const taken = gatherer.take(SUBJECT);
  assert.equal(taken.validation?.phase, 'Failed');
  assert.equal(taken.validation?.message, 'late: 20');
  assert.equal(taken.analysisRun?.verdict, 'Error');
  assert.deepEqual(requeued, [
    { key: 'ml/fraud', delayMs: 0 },
    { key: 'ml/fraud', delayMs: 0 },
  ]);
  fetches[0]!.finish(PASSED); // too late: ignored
  await settled();
  assert.deepEqual(gatherer.take(SUBJECT), {});
});

void test('a fetch that learnt nothing is dropped and looked at again after the retry delay', async () => {
  const { gatherer, fetches, requeued } = harness();
  gatherer.request(SUBJECT, [SMOKE]);
  fetches[0]!.finish(undefined);
  await settled();
  assert.deepEqual(requeued, [{ key: 'ml/fraud', delayMs: 5000 }]);
  assert.deepEqual(gatherer.take(SUBJECT), {});
  gatherer.request(SUBJECT, [SMOKE]);
  assert.equal(fetches.length, 2);
  gatherer.stop();
});

void test('a request no longer asked for is aborted and its result forgotten', async () => {
  const { gatherer, fetches, requeued } = harness();
  gatherer.request(SUBJECT, [MEASURE]);
  gatherer.request(SUBJECT, []);
  assert.equal(fetches[0]!.signal.aborted, true);
  fetches[0]!.finish({ analysisRun: { revision: 2, verdict: 'Pass', measurements: [], pValue: 0.5, message: 'ok' } });
  await settled();
  assert.deepEqual(requeued, []);
  assert.deepEqual(gatherer.take(SUBJECT), {});
  assert.deepEqual(gatherer.pending(SUBJECT.key), []);
});

void test('a finished result of a request the machine stopped asking for is dropped', async () => {
  const { gatherer, fetches } = harness();
  gatherer.request(SUBJECT, [MEASURE]);
  fetches[0]!.finish({ analysisRun: { revision: 2, verdict: 'Pass', measurements: [], pValue: 0.5, message: 'ok' } });
  await settled();
  gatherer.request(SUBJECT, [{ ...MEASURE, pValue: 0.5 }]); // another measurement now
  assert.deepEqual(gatherer.take(SUBJECT), {});
  gatherer.stop();
});

void test('forget (the ModelDeployment was deleted): fetches aborted, results and requests gone, no requeue', async () => {
  const { gatherer, fetches, requeued } = harness();
  gatherer.request(SUBJECT, [SMOKE, MEASURE]);
  gatherer.forget(SUBJECT.key);
  assert.ok(fetches.every((f) => f.signal.aborted));
  for (const f of fetches) f.finish(PASSED);
  await settled();
  assert.deepEqual(requeued, []);
  assert.deepEqual(gatherer.pending(SUBJECT.key), []);
  assert.deepEqual(gatherer.take(SUBJECT), {});
});

void test('the Job result: no fetch; asked for the first time it requeues the key, then every take reads the cache', () => {
  const cached: Evidence = { validation: { revision: 2, method: 'job', phase: 'Passed', job: 'fraud-validate-2' } };
  const { gatherer, fetches, requeued, cacheReads } = harness({ cache: cached });
  gatherer.request(SUBJECT, [JOB]);
  gatherer.request(SUBJECT, [JOB]);
  assert.equal(fetches.length, 0);
  assert.deepEqual(requeued, [{ key: 'ml/fraud', delayMs: 0 }], 'once, not at every ask');
  assert.deepEqual(gatherer.take(SUBJECT), cached);
  assert.deepEqual(gatherer.take(SUBJECT), cached, 'read again while asked for');
  assert.equal(cacheReads(), 2);
  gatherer.request(SUBJECT, []);
  assert.deepEqual(gatherer.take(SUBJECT), {});
  assert.equal(cacheReads(), 2);
});

const subjectIn = (namespace: string, name: string): EvidenceSubject => ({ key: `${namespace}/${name}`, namespace, name, spec: spec() });

void test('at most `concurrency` fetches run; the rest wait, and start as slots free, fairly between namespaces', async () => {
  const { gatherer, fetches, load } = harness({ concurrency: 4 });
  // Namespace a asks for six smoke checks: it gets half the slots, so others find one free.
  for (let i = 0; i < 6; i++) gatherer.request(subjectIn('a', `m${i}`), [SMOKE]);
  assert.equal(fetches.length, 2);
  assert.deepEqual(load, { waiting: 4, inFlight: 2 });
  gatherer.request(subjectIn('b', 'm0'), [SMOKE]);
  gatherer.request(subjectIn('b', 'm1'), [SMOKE]);
  gatherer.request(subjectIn('b', 'm2'), [SMOKE]);
  assert.deepEqual(fetches.map((f) => f.subject.key), ['a/m0', 'a/m1', 'b/m0', 'b/m1'], 'b started at once although a asked first');
  assert.deepEqual(load, { waiting: 5, inFlight: 4 });
  // A slot freed by b goes to b (a is at its share), one freed by a to a.
  fetches[2]!.finish(PASSED);
  await settled();
  assert.equal(fetches.at(-1)!.subject.key, 'b/m2');
  fetches[0]!.finish(PASSED);
  await settled();
  assert.equal(fetches.at(-1)!.subject.key, 'a/m2');
  assert.deepEqual(load, { waiting: 3, inFlight: 4 });
  gatherer.stop();
  assert.deepEqual(load, { waiting: 0, inFlight: 4 }, 'aborted fetches free their slots when they return');
  await settled();
  assert.deepEqual(load, { waiting: 0, inFlight: 0 });
});

void test('a waiting request no longer asked for never starts; its deadline counts from its start, not from its wait', async () => {
  const { gatherer, fetches } = harness({ concurrency: 1, deadlineMs: 40 });
  gatherer.request(subjectIn('a', 'slow'), [SMOKE]);
  gatherer.request(subjectIn('b', 'dropped'), [SMOKE]);
  gatherer.request(subjectIn('c', 'waits'), [SMOKE]);
  gatherer.request(subjectIn('b', 'dropped'), []);
  assert.equal(fetches.length, 1);
  await new Promise((resolve) => setTimeout(resolve, 30));
  fetches[0]!.finish(PASSED);
  await settled();
  assert.deepEqual(fetches.map((f) => f.subject.key), ['a/slow', 'c/waits'], 'the dropped request was skipped');
  // c waited 30 ms of its 40 ms deadline behind a: it still has 40 ms from its start.
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(fetches[1]!.signal.aborted, false);
  fetches[1]!.finish(PASSED);
  await settled();
  assert.deepEqual(gatherer.take(subjectIn('c', 'waits')), PASSED);
  gatherer.stop();
});

void test('forgetting a ModelDeployment drops its waiting requests unstarted', async () => {
  const { gatherer, fetches, load } = harness({ concurrency: 1 });
  gatherer.request(subjectIn('a', 'first'), [SMOKE]);
  gatherer.request(subjectIn('b', 'gone'), [SMOKE, MEASURE]);
  assert.deepEqual(load, { waiting: 2, inFlight: 1 });
  gatherer.forget('b/gone');
  assert.deepEqual(load, { waiting: 0, inFlight: 1 });
  fetches[0]!.finish(PASSED);
  await settled();
  assert.equal(fetches.length, 1);
  assert.deepEqual(load, { waiting: 0, inFlight: 0 });
  gatherer.stop();
});
