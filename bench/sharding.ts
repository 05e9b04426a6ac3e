// `node bench/sharding.ts [--count=10000] [--shards=1,2,4] [--qps=N] [--burst=N] [--concurrency=N]
// [--component-qps=200] [--timeout-minutes=N] [--runs=1] [--label=x] [--no-flow-schema] [--node-flags="--trace-gc ..."]`: the same N ModelDeployments spread
// evenly over 1, 2 and 4 shards, one operator process per shard (--watch-label-selector=
// sharding.modelship.io/key=shardK, its own Lease), each shard count on a fresh control plane
// (group-sharding.ts): time to children and to Ready, each process's CPU, RSS and request rate, the
// control plane's CPU seconds (on a small machine the API server is the limit), and a check that no
// ModelDeployment was written for by two shards and none was missed. The chart's FlowSchema for the
// operators' Lease requests is applied first, as a chart install does (--no-flow-schema leaves it out). Writes bench/results/sharding.json.
// Long, so not part of `npm run bench`: a few minutes per shard count at 300, most of an hour per shard
// count at 10,000 with the default client settings.
import { join } from 'node:path';
import { ensureTools } from '../test/cluster/tools.ts';
import { startScriptNodeFlags } from '../test/cluster/start-script-flags.ts';
import { runShardingGroup, type ShardingGroupResult } from './group-sharding.ts';
import { imageEnvironment } from './image-environment.ts';
import { load, versions } from './machine.ts';
import { defaultOperatorSettings, warmCompileCache } from './operator-runner.ts';
import { writeResult } from './result-file.ts';
import { round, summarize } from './stats.ts';
import { scriptFlags } from './script-flags.ts';

const { argv, value, positive } = scriptFlags();
const count = positive('count', 10_000);
const shardCounts = (value('shards') ?? '1,2,4').split(',').map(Number);
if (shardCounts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--shards: whole numbers above 0, e.g. 1,2,4');
const defaults = defaultOperatorSettings();
const settings = { qps: positive('qps', defaults.kubeApiQps), burst: positive('burst', defaults.kubeApiBurst), concurrency: positive('concurrency', defaults.concurrency) };
// As in scale.ts: at their default client rates kube-controller-manager and kube-scheduler would be the limit.
const componentQps = positive('component-qps', 200);
// One operator at 50 QPS needs about half an hour for 10,000; a missed shard must fail, not hang.
const timeoutMinutes = positive('timeout-minutes', Math.max(30, Math.ceil(count / 100)));
const runs = positive('runs', 1);
const label = value('label');
const flowSchema = !argv.includes('--no-flow-schema');
// Extra Node flags for every shard process (a diagnosis, e.g. --trace-gc: its lines go to the shard's log).
const nodeFlags = (value('node-flags') ?? '').split(' ').filter((f) => f !== '');
const nodes = Math.ceil((count * 1.2) / 110) + 1;

const started = performance.now();
const log = (m: string) => process.stderr.write(`[sharding ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${m}\n`);
const loadAtStart = load();
versions();
await ensureTools();
warmCompileCache();

const over = (results: readonly ShardingGroupResult[], f: (r: ShardingGroupResult) => number | undefined) => summarize(results.map(f).filter((v): v is number => v !== undefined && Number.isFinite(v)));
// Written after every shard count, so a run that fails later keeps what the earlier ones measured.
const all: ShardingGroupResult[] = [];
const summary = () =>
  shardCounts.filter((shards) => all.some((r) => r.shards === shards)).map((shards) => {
    const rs = all.filter((r) => r.shards === shards);
    return {
      shards,
      modelDeployments: count,
      childrenExistSeconds: over(rs, (r) => r.create?.childrenExistSeconds),
      readySeconds: over(rs, (r) => r.create?.readySeconds),
      operatorsCpuSeconds: over(rs, (r) => r.operatorsCpuSeconds),
      maxShardCpuSeconds: over(rs, (r) => Math.max(...r.perShard.map((s) => s.cpuSeconds))),
      maxShardPeakRssMiB: over(rs, (r) => Math.max(...r.perShard.map((s) => s.peakRssMiB))),
      totalPeakRssMiB: over(rs, (r) => round(r.perShard.reduce((a, s) => a + s.peakRssMiB, 0), 1)),
      /** All shards together, as the API server received them (Events and Leases left out). */
      operatorsRequestsPerSecond: over(rs, (r) => r.operatorsBudget.meanPerSecond),
      operatorsPeakRequestsPerSecond: over(rs, (r) => r.operatorsBudget.peakPerSecond),
      apiServerCpuSeconds: over(rs, (r) => r.controlPlaneCpuSeconds['kube-apiserver']),
      /** kube-apiserver's CPU seconds per second of the phase: near the core count, it is the limit. */
      apiServerCores: over(rs, (r) => round((r.controlPlaneCpuSeconds['kube-apiserver'] ?? NaN) / r.phaseSeconds, 2)),
      etcdCpuSeconds: over(rs, (r) => r.controlPlaneCpuSeconds.etcd),
      phaseSeconds: over(rs, (r) => r.phaseSeconds),
      failedRuns: rs.filter((r) => r.error !== undefined).length,
      /** Shard processes that exited during a run (a lost Lease), over all runs of this shard count. */
      exitedShards: rs.reduce((a, r) => a + r.exitedShards.length, 0),
      foreignWrites: rs.reduce((a, r) => a + r.check.foreignWrites, 0),
      writtenByMoreThanOneShard: rs.reduce((a, r) => a + r.check.writtenByMoreThanOneShard, 0),
      ownerWroteNothing: rs.reduce((a, r) => a + r.check.ownerWroteNothing, 0),
      notReadyAtEnd: rs.reduce((a, r) => a + r.check.notReadyAtEnd, 0),
      checksOk: rs.every((r) => r.check.ok),
    };
  });
const write = () =>
  writeResult(
    {
      quick: false,
      command: `node bench/sharding.ts ${argv.join(' ')}`.trim(),
      resultsDir: join(import.meta.dirname, 'results'),
      loadAtStart,
      settings: { count, shards: shardCounts, perOperatorClient: settings, componentQps, timeoutMinutes, flowSchema, runs, nodes, nodeFlags, startScriptNodeFlags: startScriptNodeFlags(), imageEnvironment: imageEnvironment() },
      ...(label ? { label } : {}),
    },
    'sharding',
    { levels: summary(), runs: all },
  );
for (let run = 1; run <= runs; run++) {
  for (const shards of shardCounts) {
    log(`run ${run}/${runs}: ${count} ModelDeployments over ${shards} shard(s) on ${nodes} simulated nodes`);
    all.push(await runShardingGroup({ count, shards, nodes, componentQps, settings, timeoutMs: timeoutMinutes * 60_000, flowSchema, nodeFlags }, log));
    log(`wrote ${write()}`);
  }
}
const levels = summary();
for (const l of levels) log(`${l.shards} shard(s): ${JSON.stringify(l)}`);
if (levels.some((l) => !l.checksOk)) process.exitCode = 1;
// Everything is written: end here, so a handle left behind by a group whose shard exited (an aborted wait,
// a watch of a stopped control plane) cannot keep the process, and the machine-wide lock, held.
process.exit();
