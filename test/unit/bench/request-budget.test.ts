import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuditLines } from '../../../bench/audit-log.ts';
import { requestBudget } from '../../../bench/request-budget.ts';

const line = (user: string, verb: string, resource: string, at: string, uri = `/api/v1/${resource}`, subresource?: string) =>
  JSON.stringify({ user: { username: user }, verb, requestURI: uri, requestReceivedTimestamp: at, objectRef: { resource, ...(subresource ? { subresource } : {}) }, responseStatus: { code: 200 } });

test('a patch with force is counted as an apply, any other patch as a patch', () => {
  const entries = parseAuditLines(
    [
      line('op', 'patch', 'deployments', '2026-01-01T00:00:00.000000Z', '/apis/apps/v1/namespaces/a/deployments/m?fieldManager=modelship&force=true'),
      line('op', 'patch', 'modeldeployments', '2026-01-01T00:00:00.100000Z', '/apis/modelship.io/v1alpha1/namespaces/a/modeldeployments/m/status', 'status'),
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    entries.map((e) => e.verb),
    ['apply', 'patch'],
  );
  assert.equal(entries[0]?.at, Date.parse('2026-01-01T00:00:00.000Z'));
});

test('the budget counts one user per model by verb, and its rate over its busy interval without Events', () => {
  const entries = parseAuditLines(
    [
      line('op', 'get', 'configmaps', '2026-01-01T00:00:00.100Z'),
      line('op', 'get', 'configmaps', '2026-01-01T00:00:00.900Z'),
      line('op', 'create', 'services', '2026-01-01T00:00:01.500Z'),
      line('op', 'update', 'deployments', '2026-01-01T00:00:02.100Z'),
      line('op', 'create', 'events', '2026-01-01T00:00:09.000Z'),
      line('other', 'get', 'pods', '2026-01-01T00:00:05.000Z'),
    ].join('\n'),
  );
  const b = requestBudget(entries, 'op', 2);
  assert.equal(b.requests, 5);
  assert.equal(b.events, 1);
  assert.deepEqual(b.perModel, { total: 2.5, byVerb: { create: 1, get: 1, update: 0.5 } });
  assert.deepEqual(b.writesPerModel, { 'create events': 0.5, 'create services': 0.5, 'update deployments': 0.5 });
  assert.equal(b.busySeconds, 2);
  assert.equal(b.meanPerSecond, 2);
  assert.equal(b.peakPerSecond, 2);
});
