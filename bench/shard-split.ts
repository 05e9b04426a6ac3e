// PURE: N ModelDeployments spread evenly over shards (one operator process per shard, each watching
// `sharding.modelship.io/key=shardK`), and from the API server's audit log whether every write went
// to the shard that owns the ModelDeployment: a double reconcile or a gap shows up as a count.
import { SHARD_LABEL } from '../src/config.ts';
import { isWrite, type AuditEntry } from './audit-log.ts';
import type { Placement } from './workload.ts';

export function shardNames(shards: number): string[] {
  return Array.from({ length: shards }, (_, i) => `shard${i + 1}`);
}

export function shardSelector(shard: string): string {
  return `${SHARD_LABEL}=${shard}`;
}

/** "namespace/name" → shard, round robin: shard sizes differ by at most one, every namespace is mixed. */
export function assignShards(list: readonly Placement[], shards: number): Map<string, string> {
  const names = shardNames(shards);
  return new Map(list.map((p, i) => [`${p.namespace}/${p.name}`, names[i % shards]!]));
}

/** ModelDeployments per shard, in shard order. */
export function shardSizes(owner: ReadonlyMap<string, string>, shards: number): Record<string, number> {
  const sizes = Object.fromEntries(shardNames(shards).map((s) => [s, 0]));
  for (const shard of owner.values()) sizes[shard] = (sizes[shard] ?? 0) + 1;
  return sizes;
}

/**
 * The ModelDeployment an object written by the operator belongs to: the benchmark's names are m-<digits>
 * (workload.ts modelName), children are <name> or <name>-<suffix>, Events <name>.<hex>.
 */
export function modelDeploymentOf(objectName: string): string | undefined {
  return /^(m-\d+)(?=$|[-.])/.exec(objectName)?.[1];
}

export interface ShardOwnership {
  /** Writes (Events included) by each shard's process, told apart by user agent. */
  readonly writesByShard: Record<string, number>;
  /** Writes by a shard for a ModelDeployment another shard owns. */
  readonly foreignWrites: number;
  /** ModelDeployments written for by more than one shard. */
  readonly writtenByMoreThanOneShard: number;
  /** ModelDeployments their own shard wrote nothing for (a gap: every one needs children and a status). */
  readonly ownerWroteNothing: number;
  /**
   * Writes by the operators' user that name no benchmark ModelDeployment (Lease renewals; creates, Events
   * among them: the audit log names no object for a POST) or come from an unknown user agent.
   */
  readonly unattributedWrites: number;
  /** A few of the foreign writes and gaps, to look up in the operators' logs. */
  readonly examples: readonly string[];
}

/**
 * Attributes the writes of `user` to shards by user agent (`agentOf(shard)`) and to ModelDeployments
 * by namespace and object name.
 */
export function shardOwnership(entries: readonly AuditEntry[], user: string, owner: ReadonlyMap<string, string>, shards: number, agentOf: (shard: string) => string): ShardOwnership {
  const names = shardNames(shards);
  const shardOfAgent = new Map(names.map((s) => [agentOf(s), s]));
  const writesByShard = Object.fromEntries(names.map((s) => [s, 0]));
  const writers = new Map<string, Set<string>>();
  const examples: string[] = [];
  let foreignWrites = 0;
  let unattributedWrites = 0;
  for (const e of entries) {
    if (e.user !== user || !isWrite(e.verb)) continue;
    const shard = shardOfAgent.get(e.userAgent);
    const md = modelDeploymentOf(e.name);
    const key = `${e.namespace}/${md ?? ''}`;
    const expected = md === undefined ? undefined : owner.get(key);
    if (shard === undefined || expected === undefined) {
      unattributedWrites++;
      continue;
    }
    writesByShard[shard] = (writesByShard[shard] ?? 0) + 1;
    const set = writers.get(key) ?? new Set<string>();
    set.add(shard);
    writers.set(key, set);
    if (shard !== expected) {
      foreignWrites++;
      if (examples.length < 10) examples.push(`${shard} ${e.verb} ${e.resource}${e.subresource ? `/${e.subresource}` : ''} ${e.namespace}/${e.name} (owned by ${expected})`);
    }
  }
  let ownerWroteNothing = 0;
  for (const [key, shard] of owner) {
    if (writers.get(key)?.has(shard)) continue;
    ownerWroteNothing++;
    if (examples.length < 10) examples.push(`${shard} wrote nothing for ${key}`);
  }
  const writtenByMoreThanOneShard = [...writers.values()].filter((s) => s.size > 1).length;
  return { writesByShard, foreignWrites, writtenByMoreThanOneShard, ownerWroteNothing, unattributedWrites, examples };
}
