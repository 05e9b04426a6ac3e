// Which pods the smoke check talks to: the canary revision's ready model-server pods, at their http port.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { canaryTargets } from '../../../src/controller/canary-targets.ts';

function pod(name: string, o: { variant?: string; revision?: string; component?: string; ready?: boolean; ip?: string; port?: string; deleting?: boolean } = {}): V1Pod {
  return {
    metadata: {
      name,
      labels: {
        'modelship.io/variant': o.variant ?? 'canary',
        'modelship.io/revision': o.revision ?? '2',
        'app.kubernetes.io/component': o.component ?? 'model-server',
      },
      ...(o.deleting ? { deletionTimestamp: new Date() } : {}),
    },
    spec: { containers: [{ name: 'server', ports: [{ name: o.port ?? 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 8082 }] }] },
    status: { ...(o.ip === '' ? {} : { podIP: o.ip ?? '10.244.0.7' }), conditions: [{ type: 'Ready', status: (o.ready ?? true) ? 'True' : 'False' }] },
  };
}

void test('only ready, addressed model-server pods of the canary revision, sorted, at the http port', () => {
  const targets = canaryTargets(
    [
      pod('c-b', { ip: '10.244.0.9' }),
      pod('c-a'),
      pod('stable-x', { variant: 'stable' }),
      pod('old-revision', { revision: '1' }),
      pod('validation-job', { component: 'validation' }),
      pod('not-ready', { ready: false }),
      pod('no-ip', { ip: '' }),
      pod('going', { deleting: true }),
      pod('no-http', { port: 'grpc' }),
    ],
    2,
  );
  assert.deepEqual(targets, [
    { pod: 'c-a', ip: '10.244.0.7', port: 8080 },
    { pod: 'c-b', ip: '10.244.0.9', port: 8080 },
  ]);
});
