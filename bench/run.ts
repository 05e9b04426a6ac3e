// `npm run bench [-- --quick] [options]` (options in bench-args.ts and README "Performance"): every
// benchmark on private control planes, writing bench/results/<name>.json (<name>.quick.json for --quick)
// and a summary table. A group that fails writes its error into its result file; the others still run.
// Figures are never asserted in tests.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTools } from '../test/cluster/tools.ts';
import { benchControlPlaneStartup } from './control-plane-startup.ts';
import { runFloorGroup, type FloorGroupResult } from './group-floor.ts';
import { runKServeGroup, type KServeGroupResult } from './group-kserve.ts';
import { runLatencyGroup } from './group-latency.ts';
import { runLeaderElectionGroup } from './leader-election.ts';
import { runFetchBench } from './fetch.ts';
import { runBatchBench } from './batch.ts';
import { runAgentBench } from './agent.ts';
import { runThroughputGroup, type ThroughputGroupResult } from './group-throughput.ts';
import { PLAN as ROLLOUT_PEERS_PLAN, runRolloutPeers } from './rollout-peers.ts';
import { buildKServe, kserveVersion } from './kserve-controller.ts';
import { runModelshipConverge, type ModelshipConvergeResult } from './group-modelship-converge.ts';
import { KSERVE_CLIENT_SETTINGS, equalSettingsComparison, equalSettingsTable, settingsAtRate } from './equal-settings.ts';
import { imageEnvironment } from './image-environment.ts';
import { load, versions } from './machine.ts';
import { COMPILE_CACHE, defaultOperatorSettings, warmCompileCache } from './operator-runner.ts';
import { sleep } from './parallel.ts';
import { writeResult, type RunContext } from './result-file.ts';
import { parseBenchArgs, sizesFor } from './bench-args.ts';
import { startScriptNodeFlags } from '../test/cluster/start-script-flags.ts';
import { summarize } from './stats.ts';
import { summaryTable, type TableInput } from './summary-table.ts';
import { writeReadmeSummary } from './write-readme-summary.ts';

const args = parseBenchArgs(process.argv.slice(2));
const sizes = sizesFor(args);
const started = performance.now();
const log = (m: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
const resultsDir = join(import.meta.dirname, 'results');
mkdirSync(resultsDir, { recursive: true });

if (args.waitForQuiet) {
  // Others may be running tests: wait (30 s polls, at most 20 min) for a 1-minute load under 1.0.
  for (let waited = 0; load().load1 >= 1 && waited < 20 * 60; waited += 30) {
    log(`waiting for a quiet machine: load ${load().load1}`);
    await sleep(30_000);
  }
}

versions(); // the commit and versions that run, recorded before anything else
const toolsDir = await ensureTools();
warmCompileCache(args.operatorEntry);
const operator = defaultOperatorSettings();
const launch = { nodeFlags: args.nodeFlags, ...(args.operatorEntry ? { entry: args.operatorEntry } : {}) };
const ctx: RunContext = {
  quick: args.quick,
  ...(args.label ? { label: args.label } : {}),
  command: `npm run bench${args.raw.length ? ` -- ${args.raw.join(' ')}` : ''}`,
  resultsDir,
  loadAtStart: load(),
  settings: {
    operator: { ...operator, leaderElect: false, process: `node ${args.operatorEntry ?? 'src/main.ts'} (flags: --leader-elect=false, metrics and health on loopback)`, nodeFlags: [...startScriptNodeFlags(), ...args.nodeFlags], env: { ...imageEnvironment(), NODE_COMPILE_CACHE: `${COMPILE_CACHE} (warmed at start, as the image's build does)` } },
    floor: { qps: operator.kubeApiQps, burst: operator.kubeApiBurst, concurrency: operator.concurrency },
    sizes,
  },
};
const written: string[] = [];
const table: { -readonly [K in keyof TableInput]: TableInput[K] } = {};
const want = (group: string) => args.only.length === 0 || args.only.includes(group);
const errorOf = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0] ?? err.message : String(err));
const nodes = Math.ceil((sizes.count * 1.2) / 110) + 1;

if (want('latency')) {
  try {
    const { latency, rollout } = await runLatencyGroup({ applies: sizes.applies, rolloutRepetitions: sizes.rolloutRepetitions, launch }, log);
    written.push(writeResult(ctx, 'latency', { ...latency }), writeResult(ctx, 'rollout', { ...rollout }));
    table.latency = latency;
    table.rollout = rollout;
  } catch (err) {
    log(`latency group failed: ${errorOf(err)}`);
    written.push(writeResult(ctx, 'latency', { error: errorOf(err) }));
  }
}

let throughputRuns: ThroughputGroupResult[] = [];
if (want('throughput')) {
  try {
    for (let run = 1; run <= sizes.runs; run++) {
      log(`throughput run ${run}/${sizes.runs}`);
      // Rest and memory once, on the last run's control plane.
      const last = run === sizes.runs;
      throughputRuns.push(
        await runThroughputGroup({ count: sizes.count, changes: sizes.changes, nodes, restMs: sizes.restMinutes * 60_000, settleMs: sizes.settleMs, launch, throughputOnly: !last }, log),
      );
    }
  } catch (err) {
    log(`throughput group failed: ${errorOf(err)}`);
    written.push(writeResult(ctx, 'throughput', { error: errorOf(err) }));
    throughputRuns = [];
  }
}

if (want('floor')) {
  try {
    const floorRuns: FloorGroupResult[] = [];
    for (let run = 1; run <= sizes.runs; run++) {
      log(`floor run ${run}/${sizes.runs}`);
      floorRuns.push(
        await runFloorGroup({ count: sizes.count, changes: sizes.changes, nodes, settings: { qps: operator.kubeApiQps, burst: operator.kubeApiBurst, concurrency: operator.concurrency } }, log),
      );
    }
    written.push(
      writeResult(ctx, 'floor', {
        modelDeployments: sizes.count,
        specChanges: sizes.changes,
        childrenExistSeconds: summarize(floorRuns.map((r) => r.create.childrenExistSeconds)),
        podsReadySeconds: summarize(floorRuns.map((r) => r.create.podsReadySeconds)),
        changeChildrenSeconds: summarize(floorRuns.map((r) => r.change.childrenExistSeconds)),
        changeRolledOutSeconds: summarize(floorRuns.map((r) => r.change.podsReadySeconds)),
        runs: floorRuns,
      }),
    );
    table.floor = {
      childrenExistSeconds: summarize(floorRuns.map((r) => r.create.childrenExistSeconds)),
      podsReadySeconds: summarize(floorRuns.map((r) => r.create.podsReadySeconds)),
      changeChildrenSeconds: summarize(floorRuns.map((r) => r.change.childrenExistSeconds)),
      changeRolledOutSeconds: summarize(floorRuns.map((r) => r.change.podsReadySeconds)),
    };
  } catch (err) {
    log(`floor group failed: ${errorOf(err)}`);
    written.push(writeResult(ctx, 'floor', { error: errorOf(err) }));
  }
}

if (throughputRuns.length > 0) {
  const s = (pick: (r: ThroughputGroupResult) => number) => summarize(throughputRuns.map(pick));
  const tp = {
    modelDeployments: sizes.count,
    specChanges: sizes.changes,
    childrenExistSeconds: s((r) => r.create.childrenExistSeconds),
    podsReadySeconds: s((r) => r.create.podsReadySeconds),
    readySeconds: s((r) => r.create.readySeconds),
    changeChildrenSeconds: s((r) => r.change.childrenUpdatedSeconds),
    changeRolledOutSeconds: s((r) => r.change.rolledOutSeconds),
    changeReadySeconds: s((r) => r.change.readySeconds),
    failedReconciles: throughputRuns.reduce((n, r) => n + (r.create.counters.reconcileErrors ?? 0) + (r.change.counters.reconcileErrors ?? 0), 0),
  };
  table.throughput = tp;
  const ratios = table.floor
    ? {
        operatorOverFloor: {
          childrenExist: tp.childrenExistSeconds.median / table.floor.childrenExistSeconds.median,
          readyOverPodsReady: tp.readySeconds.median / table.floor.podsReadySeconds.median,
          podsReady: tp.podsReadySeconds.median / table.floor.podsReadySeconds.median,
          changeChildrenUpdated: tp.changeChildrenSeconds.median / table.floor.changeChildrenSeconds.median,
          changeRolledOut: tp.changeRolledOutSeconds.median / table.floor.changeRolledOutSeconds.median,
        },
      }
    : {};
  const { rest, memory, longRunning } = throughputRuns.at(-1) ?? {};
  written.push(
    writeResult(ctx, 'throughput', {
      ...tp,
      ...ratios,
      floorObjectsMatchOperator: throughputRuns.every((r) => r.floorObjectsMatchOperator && r.floorChangeObjectsMatchOperator),
      runs: throughputRuns.map(({ rest: _r, memory: _m, longRunning: _l, ...run }) => run),
    }),
  );
  if (rest) {
    written.push(writeResult(ctx, 'rest', { ...rest, restMinutes: sizes.restMinutes, note: sizes.restMinutes < 10 ? `a ${sizes.restMinutes}-minute window (--quick or --rest-minutes); DESIGN.md asks for 10` : undefined }));
    table.rest = rest;
  }
  if (memory) {
    written.push(writeResult(ctx, 'memory', { ...memory, longRunningOperator: longRunning }));
    table.memory = memory;
  }
}

interface EqualSettingsRuns {
  readonly defaults: ModelshipConvergeResult[];
  readonly atKServe: ModelshipConvergeResult[];
  readonly atRate: ModelshipConvergeResult[];
}

/** The kserve-peer result file's figures from the runs measured so far. */
function kservePeerResult(runs: readonly KServeGroupResult[], equal: EqualSettingsRuns | undefined) {
  const equalSettings = equal ? equalSettingsComparison(runs, equal.defaults, equal.atKServe, equal.atRate) : undefined;
  const childrenExistSeconds = summarize(runs.map((r) => r.create.childrenExistSeconds));
  const readySeconds = summarize(runs.map((r) => r.create.readySeconds));
  // Like for like: a fresh process with everything converged in its caches (modelship's memory level).
  const rssMiB = summarize(runs.map((r) => r.rssFreshMiB)).median;
  const modelshipRssMiB = table.memory?.levels.at(-1)?.rssMiB ?? NaN;
  return {
    kserve: {
      version: kserveVersion(),
      mode: 'RawDeployment (InferenceService -> Deployment, Service, HPA); webhooks not registered; out of cluster',
      clientSettings: 'controller-runtime defaults: 20 QPS, burst 30 per client; 1 InferenceService reconcile at a time',
      inferenceServices: sizes.count,
      childrenExistSeconds,
      podsReadySeconds: summarize(runs.map((r) => r.create.podsReadySeconds)),
      readySeconds,
      rssIdleMiB: summarize(runs.map((r) => r.rssIdleMiB)).median,
      rssConvergedMiB: summarize(runs.map((r) => r.rssConvergedMiB)).median,
      rssFreshMiB: rssMiB,
      cpuSecondsToConverge: summarize(runs.map((r) => r.cpuSeconds)).median,
      runs,
    },
    modelship: table.throughput
      ? {
          modelDeployments: sizes.count,
          childrenExistSeconds: table.throughput.childrenExistSeconds,
          readySeconds: table.throughput.readySeconds,
          rssFreshMiB: modelshipRssMiB,
          rssLongRunningMiB: throughputRuns.at(-1)?.longRunning?.rssMiB,
          cpuSecondsToConverge: summarize(throughputRuns.map((r) => r.create.operatorCpuSeconds)).median,
          clientSettings: `${operator.kubeApiQps} QPS, burst ${operator.kubeApiBurst}; ${operator.concurrency} reconciles at a time`,
        }
      : undefined,
    modelshipOverKServe: table.throughput
      ? { childrenExist: table.throughput.childrenExistSeconds.median / childrenExistSeconds.median, ready: table.throughput.readySeconds.median / readySeconds.median, rss: modelshipRssMiB / rssMiB }
      : undefined,
    ...(equalSettings ? { equalSettings, equalSettingsRuns: { modelshipDefaults: equal?.defaults, modelshipAtKServeSettings: equal?.atKServe, modelshipAtKServeRate: equal?.atRate } } : {}),
  };
}

if (want('kserve')) {
  try {
    log('kserve: building cmd/manager (cached after the first build)');
    const binary = await buildKServe();
    const runs: KServeGroupResult[] = [];
    const equal: EqualSettingsRuns | undefined = args.kserveEqualSettings ? { defaults: [], atKServe: [], atRate: [] } : undefined;
    for (let run = 1; run <= sizes.kserveRuns; run++) {
      log(`kserve run ${run}/${sizes.kserveRuns}`);
      runs.push(await runKServeGroup({ count: sizes.count, nodes, binary, settleMs: sizes.settleMs }, log));
      if (equal) {
        const converge = { count: sizes.count, nodes, launch, settleMs: sizes.settleMs };
        equal.defaults.push(await runModelshipConverge({ ...converge, name: 'modelship-defaults', settings: { qps: operator.kubeApiQps, burst: operator.kubeApiBurst, concurrency: operator.concurrency } }, log));
        equal.atKServe.push(await runModelshipConverge({ ...converge, name: 'modelship-kserve-settings', settings: KSERVE_CLIENT_SETTINGS }, log));
        // The rate KServe's several clients reached together in this run, for modelship's one limiter.
        const kserveRate = runs.at(-1)?.create.counters.controllerBudget?.meanPerSecond ?? NaN;
        equal.atRate.push(await runModelshipConverge({ ...converge, name: 'modelship-kserve-rate', settings: settingsAtRate(kserveRate) }, log));
      }
      // A run takes about half an hour at 1000 models: keep what is measured if the machine stops.
      if (run < sizes.kserveRuns) writeResult(ctx, 'kserve-peer', { ...kservePeerResult(runs, equal), partial: { runsCompleted: run, runsPlanned: sizes.kserveRuns } });
    }
    const peer = kservePeerResult(runs, equal);
    if (peer.equalSettings) log(`kserve at equal settings:\n${equalSettingsTable(peer.equalSettings)}`);
    table.peer = { count: sizes.count, kserveVersion: kserveVersion(), childrenExistSeconds: peer.kserve.childrenExistSeconds, readySeconds: peer.kserve.readySeconds, rssMiB: peer.kserve.rssFreshMiB, modelshipRssMiB: table.memory?.levels.at(-1)?.rssMiB ?? NaN };
    written.push(writeResult(ctx, 'kserve-peer', peer));
  } catch (err) {
    log(`kserve group failed: ${errorOf(err)}`);
    table.peer = { error: errorOf(err) };
    written.push(writeResult(ctx, 'kserve-peer', { error: errorOf(err), detail: err instanceof Error ? err.message : String(err) }));
  }
}

if (want('rollout-peers')) {
  // modelship, Flagger and Argo Rollouts on one data path (bench/rollout-peers.ts); 3 repetitions each, 1 with --quick.
  try {
    const repetitions = args.runs !== undefined ? Math.round(args.runs) : args.quick ? 1 : 3;
    const controllers = await runRolloutPeers({ repetitions, controllers: ['modelship', 'flagger', 'argo-rollouts'] }, log);
    written.push(writeResult(ctx, 'rollout-peers', { repetitions, plan: ROLLOUT_PEERS_PLAN, controllers }));
  } catch (err) {
    log(`rollout-peers group failed: ${errorOf(err)}`);
    written.push(writeResult(ctx, 'rollout-peers', { error: errorOf(err) }));
  }
}

if (want('startup')) {
  const startup = await benchControlPlaneStartup(sizes.startupRuns);
  written.push(writeResult(ctx, startup.name, { ...startup }));
  table.startup = startup;
}

if (want('fetch')) {
  try {
    const fetch = await runFetchBench({ sizeBytes: sizes.fetchMiB * 1024 * 1024, runs: sizes.fetchRuns, toolsDir }, log);
    written.push(writeResult(ctx, 'fetch', { ...fetch }));
  } catch (err) {
    log(`fetch group failed: ${errorOf(err)}`);
    written.push(writeResult(ctx, 'fetch', { error: errorOf(err) }));
  }
}

if (want('batch')) {
  try {
    const batch = await runBatchBench({ rows: sizes.batchRows, smallRows: sizes.batchSmallRows, runs: sizes.batchRuns, parallelism: [1, 2, 4], batchSize: 64, concurrency: 4, toolsDir, nodeFlags: args.nodeFlags }, log);
    written.push(writeResult(ctx, 'batch', { ...batch }));
  } catch (err) {
    log(`batch group failed: ${errorOf(err)}`);
    written.push(writeResult(ctx, 'batch', { error: errorOf(err) }));
  }
}

if (want('agent')) {
  try {
    const agent = await runAgentBench({ toolsDir, seconds: args.quick ? 5 : 10, runs: args.quick ? 1 : 3, latencyConcurrency: 4, saturationConcurrency: 64 }, log);
    written.push(writeResult(ctx, 'agent', agent));
  } catch (err) {
    log(`agent group failed: ${errorOf(err)}`);
    written.push(writeResult(ctx, 'agent', { error: errorOf(err) }));
  }
}

if (want('leader')) {
  try {
    const leader = await runLeaderElectionGroup({ models: sizes.leaderModels, repetitions: sizes.leaderRepetitions, stallMs: 20_000, launch }, log);
    written.push(writeResult(ctx, 'leader-election', { ...leader, note: 'operator processes with --leader-elect=true at the default timings' }));
  } catch (err) {
    log(`leader group failed: ${errorOf(err)}`);
    written.push(writeResult(ctx, 'leader-election', { error: errorOf(err) }));
  }
}

// The README's one summary is made from the full runs' files; a quick or labelled run leaves it alone.
if (!args.quick && !args.label) log(writeReadmeSummary(false).message);

const minutes = (performance.now() - started) / 60_000;
process.stdout.write(`\n${summaryTable(table)}\n\n${ctx.command}: ${minutes.toFixed(1)} min, load at start ${ctx.loadAtStart.load1}, at end ${load().load1}\nwritten:\n${written.map((w) => `  ${w}`).join('\n')}\n`);
