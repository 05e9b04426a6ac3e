// A failed model fetcher (init container model-fetcher) as the kubelet reports it, through observePod and
// computeStatus: Stalled with the reason of its exit code and the text of its last line, bounded; nothing
// else of the termination message is copied, and a fetch that succeeded since is no longer reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { observePod } from '../../../src/controller/observe.ts';
import { computeStatus, findCondition, kstatusOf } from '../../../src/status/index.ts';
import { MAX_FAILURE_TEXT } from '../../../src/fetcher/exit-codes.ts';
import { NOW, observations } from './fixtures.ts';

const terminated = (exitCode: number, message?: string) => ({
  terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: new Date(NOW), finishedAt: new Date(NOW), ...(message !== undefined ? { message } : {}) },
});

function podWith(fetcher: Partial<V1ContainerStatus>, name = 'iris-stable-7d9f-abcde'): V1Pod {
  return {
    metadata: { name },
    status: {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'model-fetcher', image: 'ghcr.io/modelship/modelship:0.1.0', imageID: '', ready: false, restartCount: 1, ...fetcher }],
      containerStatuses: [{ name: 'model-server', image: 'seldonio/mlserver:1.7.1', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
    },
  };
}

/** The Stalled condition for these pods (the Deployment not ready, as while its pods cannot start). */
function stalled(...pods: V1Pod[]) {
  const status = computeStatus(undefined, observations({ pods: pods.map(observePod) }), NOW);
  return { stalled: findCondition(status.conditions, 'Stalled'), status };
}

const backOff = { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=model-fetcher' } };

void test('each failure class: its Stalled reason and the last line\'s text, with what to check', () => {
  const cases: [number, string, string, RegExp][] = [
    [11, 'modelship-fetch: AccessDenied: s3://models/iris/1/model.tar.gz: access denied (SignatureDoesNotMatch)', 'AccessDenied', /Secret in spec\.model\.credentials/],
    [10, 'modelship-fetch: ModelNotFound: s3://models/iris/9/model.tar.gz: not found (NoSuchKey)', 'ModelNotFound', /check spec\.model\.uri/],
    [12, `modelship-fetch: ChecksumMismatch: s3://models/iris/1/model.tar.gz: sha256 is ${'a'.repeat(64)}, expected ${'b'.repeat(64)}`, 'ChecksumMismatch', /check spec\.model\.sha256/],
    [14, "modelship-fetch: ModelFetchFailed: s3://models/evil.tar.gz: entry '../escape.txt' has a '..' segment", 'ModelFetchFailed', /kubectl logs iris-stable-7d9f-abcde -c model-fetcher/],
  ];
  for (const [exitCode, line, reason, hint] of cases) {
    const { stalled: c, status } = stalled(podWith({ state: backOff, lastState: terminated(exitCode, `${line}\n`) }));
    assert.equal(c?.status, 'True', line);
    assert.equal(c?.reason, reason);
    const text = line.slice(line.indexOf(': ', 'modelship-fetch: '.length) + 2);
    assert.equal(c?.message.startsWith(`pod iris-stable-7d9f-abcde container model-fetcher (exit code ${exitCode}): ${text}; `), true, c?.message);
    assert.match(c?.message ?? '', hint);
    assert.equal(findCondition(status.conditions, 'Ready')?.reason, reason);
    assert.equal(kstatusOf({ metadata: { generation: 3 }, status }), 'Failed');
  }
});

void test('the failure stays reported while the next attempt runs, and is gone once a fetch succeeded', () => {
  const line = 'modelship-fetch: ModelNotFound: s3://models/iris/9: no object with this key or under this prefix';
  assert.equal(stalled(podWith({ state: terminated(10, line) })).stalled?.reason, 'ModelNotFound', 'terminated, before the back-off');
  assert.equal(stalled(podWith({ state: { running: { startedAt: new Date(NOW) } }, lastState: terminated(10, line) })).stalled?.reason, 'ModelNotFound', 'retrying');
  const fetched = podWith({ state: terminated(0, 'modelship-fetch: done: 1 file(s), 12 B in 0.05s'), lastState: terminated(10, line) });
  assert.equal(stalled(fetched).stalled, undefined);
  assert.equal(observePod(fetched).fetchFailure, undefined);
});

void test('only the last line of ours is copied, bounded: a log tail (FallbackToLogsOnError) or another image gives no log text', () => {
  const tail = ['modelship-fetch: fetching s3://m/x into /mnt/models', 'AWS_SECRET_ACCESS_KEY=do-not-copy', 'modelship-fetch: AccessDenied: s3://m/x: access denied (InvalidAccessKeyId)', 'trailing noise do-not-copy'].join('\n');
  const fromTail = stalled(podWith({ state: backOff, lastState: terminated(11, tail) })).stalled;
  assert.equal(fromTail?.reason, 'AccessDenied');
  assert.match(fromTail?.message ?? '', /: s3:\/\/m\/x: access denied \(InvalidAccessKeyId\); /);
  assert.doesNotMatch(fromTail?.message ?? '', /do-not-copy/);
  const other = stalled(podWith({ state: backOff, lastState: terminated(1, 'Traceback (most recent call last):\n  botocore secret do-not-copy') })).stalled;
  assert.equal(other?.reason, 'ModelFetchFailed');
  assert.match(other?.message ?? '', /\(exit code 1\): the model fetcher exited with code 1; see kubectl logs/);
  assert.doesNotMatch(other?.message ?? '', /do-not-copy|Traceback/);
  const noMessage = stalled(podWith({ state: backOff, lastState: terminated(137) })).stalled;
  assert.match(noMessage?.message ?? '', /killed \(exit 137/);
  const long = stalled(podWith({ state: backOff, lastState: terminated(10, `modelship-fetch: ModelNotFound: s3://m/${'k'.repeat(5000)}`) })).stalled;
  assert.ok((long?.message.length ?? 0) < MAX_FAILURE_TEXT + 200, `bounded: ${long?.message.length}`);
});

void test('a failed fetch explains a crash loop better than the back-off: it wins over CrashLoopBackOff, several pods are counted', () => {
  const line = 'modelship-fetch: AccessDenied: s3://m/x: access denied (SignatureDoesNotMatch)';
  const { stalled: c } = stalled(podWith({ state: backOff, lastState: terminated(11, line) }, 'b-pod'), podWith({ state: backOff, lastState: terminated(11, line) }, 'a-pod'));
  assert.equal(c?.reason, 'AccessDenied');
  assert.match(c?.message ?? '', /^pod a-pod .*\(and 1 more pods\)$/);
});
