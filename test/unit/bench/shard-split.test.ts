import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuditLines } from '../../../bench/audit-log.ts';
import { assignShards, modelDeploymentOf, shardOwnership, shardSelector, shardSizes } from '../../../bench/shard-split.ts';
import { placements } from '../../../bench/workload.ts';

test('ModelDeployments are spread round robin: shard sizes differ by at most one', () => {
  const owner = assignShards(placements('b', 10), 4);
  assert.deepEqual(shardSizes(owner, 4), { shard1: 3, shard2: 3, shard3: 2, shard4: 2 });
  assert.equal(owner.get('b-0/m-0000'), 'shard1');
  assert.equal(owner.get('b-0/m-0005'), 'shard2');
  assert.deepEqual(shardSizes(assignShards(placements('b', 3), 1), 1), { shard1: 3 });
  assert.equal(shardSelector('shard2'), 'sharding.modelship.io/key=shard2');
});

test('children and Events are attributed to their ModelDeployment by name', () => {
  assert.equal(modelDeploymentOf('m-0001'), 'm-0001');
  assert.equal(modelDeploymentOf('m-0001-stable'), 'm-0001');
  assert.equal(modelDeploymentOf('m-0001.18a2b3c4d5e6f'), 'm-0001');
  assert.equal(modelDeploymentOf('m-0001x'), undefined);
  assert.equal(modelDeploymentOf('modelship-leader-0a1b2c3d4e'), undefined);
});

const line = (agent: string, verb: string, resource: string, namespace: string, name: string, user = 'op') =>
  JSON.stringify({ user: { username: user }, userAgent: agent, verb, requestURI: '/x', objectRef: { resource, namespace, name }, responseStatus: { code: 200 } });

test('a write by the wrong shard, a ModelDeployment its shard never wrote for, and unknown writes are counted', () => {
  const owner = assignShards(placements('b', 3), 2); // m-0000 and m-0002 in shard1, m-0001 in shard2
  const agent = (s: string) => `modelship/${s}`;
  const entries = parseAuditLines(
    [
      line('modelship/shard1', 'apply', 'deployments', 'b-0', 'm-0000-stable'),
      line('modelship/shard1', 'patch', 'modeldeployments', 'b-0', 'm-0000'),
      line('modelship/shard1', 'get', 'deployments', 'b-0', 'm-0001-stable'), // a read is no write
      line('modelship/shard2', 'apply', 'services', 'b-0', 'm-0001'),
      line('modelship/shard2', 'create', 'events', 'b-0', 'm-0000.17f0a1b2c3'), // shard2 writing for shard1's
      line('modelship/shard1', 'update', 'leases', 'bench-system', 'modelship-leader-0123456789'),
      line('someone/else', 'apply', 'services', 'b-0', 'm-0002'),
      line('modelship/shard1', 'apply', 'services', 'b-0', 'm-0002', 'another-user'),
      '',
    ].join('\n'),
  );
  const o = shardOwnership(entries, 'op', owner, 2, agent);
  assert.deepEqual(o.writesByShard, { shard1: 2, shard2: 2 });
  assert.equal(o.foreignWrites, 1);
  assert.equal(o.writtenByMoreThanOneShard, 1);
  assert.equal(o.ownerWroteNothing, 1, 'm-0002: only an unknown agent and another user wrote for it');
  assert.equal(o.unattributedWrites, 2, 'the Lease and the unknown agent');
  assert.deepEqual(o.examples, ['shard2 create events b-0/m-0000.17f0a1b2c3 (owned by shard1)', 'shard1 wrote nothing for b-0/m-0002']);
});

test('clean shards: no foreign write, no gap', () => {
  const owner = assignShards(placements('b', 2), 2);
  const entries = parseAuditLines([line('modelship/shard1', 'apply', 'deployments', 'b-0', 'm-0000-stable'), line('modelship/shard2', 'apply', 'deployments', 'b-0', 'm-0001-stable'), ''].join('\n'));
  const o = shardOwnership(entries, 'op', owner, 2, (s) => `modelship/${s}`);
  assert.equal(o.foreignWrites + o.writtenByMoreThanOneShard + o.ownerWroteNothing + o.unattributedWrites, 0);
});
