// The batch runner's throughput and memory (group `batch`): `modelship batch` (bench/batch-runner-process.ts:
// the image's command, the Job's NODE_OPTIONS) scoring JSONL rows from versitygw into versitygw against a
// real MLServer serving the sklearn iris model (test/cluster: the integration test's model and server),
// against the ceiling: the same MLServer driven by a tight client with the same pre-built V2 requests,
// batch size and concurrency (bench/v2-ceiling.ts). Ceiling and runner runs alternate. Then scaling: N
// runners on N shards of the same input, each with its own MLServer as each pod of the Job has its own
// sidecar. Then peak RSS (VmHWM) of the runner over a small input, against the large runs'.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IRIS_MODEL, writeIrisModel } from '../test/cluster/iris-model.ts';
import { startMlserver, type MlserverProcess } from '../test/cluster/mlserver-process.ts';
import { ensureMlserverEnv, type PythonEnv } from '../test/cluster/python-env.ts';
import { startS3Server, type S3Server } from '../test/cluster/s3-server.ts';
import { runnerLaunch, runRunner, warmRunnerCompileCache, type RunnerExit } from './batch-runner-process.ts';
import { load } from './machine.ts';
import { cpuSeconds } from './proc-stats.ts';
import { round, summarize, type Summary } from './stats.ts';
import { driveCeiling, prebuiltBodies } from './v2-ceiling.ts';

const MiB = 1024 * 1024;

export interface BatchBenchOptions {
  /** Rows of the throughput and scaling runs. */
  readonly rows: number;
  /** Rows of the small input of the memory runs. */
  readonly smallRows: number;
  readonly runs: number;
  readonly parallelism: readonly number[];
  readonly batchSize: number;
  readonly concurrency: number;
  readonly toolsDir: string;
  /** Node flags for the runner processes, after the image's (--profile: --cpu-prof). */
  readonly nodeFlags: readonly string[];
}

/** CPU seconds over one run: the model server, the client (runner process, or the benchmark for the ceiling) and versitygw. */
export interface RunCpu {
  readonly modelServer: number;
  readonly client: number;
  readonly objectStore: number;
  /** All three over the wall time: how many of the cores they kept busy. */
  readonly coresBusy: number;
}

export interface CeilingRun {
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly cpuSeconds: RunCpu;
}

export interface RunnerRun {
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly ownRecordsPerSecond: number;
  readonly peakRssMiB: number;
  readonly cpuSeconds: RunCpu;
}

export interface ScalingLevel {
  readonly processes: number;
  readonly seconds: number;
  /** All shards' records over the wall time from the first start to the last exit. */
  readonly recordsPerSecond: number;
  readonly speedup: number;
  readonly perProcessRecordsPerSecond: readonly number[];
  readonly peakRssMiB: readonly number[];
}

export interface BatchBenchResult {
  readonly loadAtStart: ReturnType<typeof load>;
  readonly settings: Record<string, unknown>;
  readonly throughput: {
    readonly rows: number;
    readonly ceiling: { readonly recordsPerSecond: Summary; readonly runs: readonly CeilingRun[] };
    readonly runner: { readonly recordsPerSecond: Summary; readonly ownRecordsPerSecond: Summary; readonly runs: readonly RunnerRun[] };
    /** Median runner records/s (whole process) over median ceiling records/s; and over the runner's own time. */
    readonly ratioToCeiling: number;
    readonly ownRatioToCeiling: number;
  };
  readonly scaling: { readonly rows: number; readonly levels: readonly ScalingLevel[] };
  readonly rss: {
    readonly nodeOptions: string;
    readonly small: { readonly rows: number; readonly peakRssMiB: Summary };
    readonly large: { readonly rows: number; readonly peakRssMiB: Summary };
  };
}

/** `rows` lines of JSONL cycling through the model's sample rows, written to `file`. */
function writeJsonl(file: string, samples: readonly (readonly number[])[], rows: number): void {
  const fd = openSync(file, 'w');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `${JSON.stringify(samples[i % samples.length])}\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, chunk);
  closeSync(fd);
}

const cycle = (samples: readonly (readonly number[])[], rows: number) => Array.from({ length: rows }, (_, i) => samples[i % samples.length]!);

async function startServers(env: PythonEnv, modelsDir: string, work: string, count: number): Promise<MlserverProcess[]> {
  const servers: MlserverProcess[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await startMlserver(env, modelsDir, join(work, `mlserver-${count}-${i}.log`)));
    await Promise.all(servers.map((s) => s.waitReady(IRIS_MODEL)));
    return servers;
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
}

export async function runBatchBench(options: BatchBenchOptions, log: (m: string) => void): Promise<BatchBenchResult> {
  const loadAtStart = load();
  const work = mkdtempSync(join(tmpdir(), 'modelship-batch-bench-'));
  const { batchSize, concurrency } = options;
  let s3: S3Server | undefined;
  let shared: MlserverProcess[] = [];
  try {
    const python = await ensureMlserverEnv({ log: (l) => log(`python env: ${l}`) });
    const modelsDir = join(work, 'models');
    const { rows: samples } = await writeIrisModel(python, join(modelsDir, IRIS_MODEL), 20_000);
    s3 = await startS3Server({ toolsDir: options.toolsDir });
    const server = s3;
    await server.createBucket('inputs');
    await server.createBucket('scores');
    for (const n of new Set([options.rows, options.smallRows])) {
      const file = join(work, `rows-${n}.jsonl`);
      writeJsonl(file, samples, n);
      await server.uploadFile('inputs', `rows-${n}.jsonl`, file);
      rmSync(file);
    }
    warmRunnerCompileCache();
    let runCount = 0;
    const runner = (rows: number, serverUrl: string, shards: number, shard: number, run: string): Promise<RunnerExit> =>
      runRunner(
        [
          '--input', `s3://inputs/rows-${rows}.jsonl`, '--input-format', 'jsonl', '--output', `s3://scores/${run}`, '--run', run,
          '--shards', String(shards), '--shard', String(shard), '--batch-size', String(batchSize), '--concurrency', String(concurrency),
          '--server', serverUrl, '--model', IRIS_MODEL,
        ],
        server.fetcherEnv(),
        join(work, `termination-${runCount++}`),
        options.nodeFlags,
      );
    const checked = (exit: RunnerExit, expected: number) => {
      if (exit.scored !== expected || exit.records !== expected) throw new Error(`the runner scored ${exit.scored} of ${exit.records} records, expected ${expected}`);
      return exit;
    };

    // Throughput: one MLServer, ceiling and runner alternating on it.
    shared = await startServers(python, modelsDir, work, 1);
    const mlserver = shared[0]!;
    const bodies = prebuiltBodies(cycle(samples, options.rows), batchSize);
    await driveCeiling(mlserver.url, IRIS_MODEL, bodies.slice(0, 500), concurrency); // warm-up, not counted
    const ceilingRuns: CeilingRun[] = [];
    const runnerRuns: RunnerRun[] = [];
    // Who used the CPU: on a machine with few cores the client's and the object store's CPU is the model's loss.
    const servers = () => ({ model: cpuSeconds(mlserver.process.pid), store: cpuSeconds(server.process.pid) });
    const cpuOver = (before: { model: number; store: number }, client: number, seconds: number): RunCpu => {
      const after = servers();
      const used = { modelServer: round(after.model - before.model, 2), client: round(client, 2), objectStore: round(after.store - before.store, 2) };
      return { ...used, coresBusy: round((used.modelServer + used.client + used.objectStore) / seconds, 2) };
    };
    for (let run = 1; run <= options.runs; run++) {
      const ceilingBefore = servers();
      const ownBefore = process.cpuUsage();
      const c = await driveCeiling(mlserver.url, IRIS_MODEL, bodies, concurrency);
      const own = process.cpuUsage(ownBefore);
      if (c.records !== options.rows) throw new Error(`the ceiling sent ${c.records} records`);
      ceilingRuns.push({ seconds: round(c.seconds), recordsPerSecond: round(c.records / c.seconds, 0), cpuSeconds: cpuOver(ceilingBefore, (own.user + own.system) / 1e6, c.seconds) });
      const runnerBefore = servers();
      const r = checked(await runner(options.rows, mlserver.url, 1, 0, `throughput-${run}`), options.rows);
      runnerRuns.push({
        seconds: round(r.seconds), recordsPerSecond: round(options.rows / r.seconds, 0), ownRecordsPerSecond: r.ownRecordsPerSecond, peakRssMiB: round(r.peakRssBytes / MiB, 1),
        cpuSeconds: cpuOver(runnerBefore, r.cpuSeconds, r.seconds),
      });
      log(`batch run ${run}/${options.runs}: ceiling ${ceilingRuns.at(-1)!.recordsPerSecond} records/s (${c.seconds.toFixed(1)} s), runner ${runnerRuns.at(-1)!.recordsPerSecond} records/s (${r.seconds.toFixed(1)} s; its own ${r.ownRecordsPerSecond}), peak RSS ${runnerRuns.at(-1)!.peakRssMiB} MiB; CPU s ceiling ${JSON.stringify(ceilingRuns.at(-1)!.cpuSeconds)}, runner ${JSON.stringify(runnerRuns.at(-1)!.cpuSeconds)}`);
    }

    // Memory over a small input, on the same server.
    const small: number[] = [];
    for (let run = 1; run <= options.runs; run++) {
      const r = checked(await runner(options.smallRows, mlserver.url, 1, 0, `small-${run}`), options.smallRows);
      small.push(round(r.peakRssBytes / MiB, 1));
      log(`batch small run ${run}/${options.runs}: ${options.smallRows} rows in ${r.seconds.toFixed(1)} s, peak RSS ${small.at(-1)} MiB`);
    }
    await mlserver.stop();
    shared = [];

    // Scaling: N runners on N shards, each with a server of its own.
    const levels: ScalingLevel[] = [];
    for (const n of options.parallelism) {
      shared = await startServers(python, modelsDir, work, n);
      const started = performance.now();
      const exits = await Promise.all(shared.map((s, i) => runner(options.rows, s.url, n, i, `scale-${n}`)));
      const seconds = (performance.now() - started) / 1000;
      const scored = exits.reduce((sum, e) => sum + e.scored, 0);
      if (scored !== options.rows) throw new Error(`${n} runners scored ${scored} of ${options.rows} records`);
      const recordsPerSecond = round(options.rows / seconds, 0);
      levels.push({
        processes: n,
        seconds: round(seconds),
        recordsPerSecond,
        speedup: round(recordsPerSecond / (levels[0]?.recordsPerSecond ?? recordsPerSecond), 2),
        perProcessRecordsPerSecond: exits.map((e) => e.ownRecordsPerSecond),
        peakRssMiB: exits.map((e) => round(e.peakRssBytes / MiB, 1)),
      });
      log(`batch scaling ${n}: ${recordsPerSecond} records/s (${seconds.toFixed(1)} s), ${levels.at(-1)!.speedup}x`);
      await Promise.all(shared.map((s) => s.stop()));
      shared = [];
    }

    const ceiling = summarize(ceilingRuns.map((r) => r.recordsPerSecond));
    const runnerRate = summarize(runnerRuns.map((r) => r.recordsPerSecond));
    const own = summarize(runnerRuns.map((r) => r.ownRecordsPerSecond));
    const launch = runnerLaunch();
    return {
      loadAtStart,
      settings: {
        batchSize,
        concurrency,
        runner: launch,
        modelServer: 'MLServer 1.7.1 (test/cluster/python/mlserver-requirements.txt), sklearn LogisticRegression on iris, MLSERVER_PARALLEL_WORKERS=0, HTTP on loopback',
        input: 'one JSONL object on versitygw, 4 numbers a line (the integration test\'s noisy iris rows, cycled); output a part, a marker and the manifest on versitygw',
        ceiling: 'the same rows as pre-built V2 bodies (the runner\'s encoding), POSTed with node:http on kept-alive connections from the benchmark process, same batch size and concurrency, responses read and discarded',
      },
      throughput: {
        rows: options.rows,
        ceiling: { recordsPerSecond: ceiling, runs: ceilingRuns },
        runner: { recordsPerSecond: runnerRate, ownRecordsPerSecond: own, runs: runnerRuns },
        ratioToCeiling: round(runnerRate.median / ceiling.median),
        ownRatioToCeiling: round(own.median / ceiling.median),
      },
      scaling: { rows: options.rows, levels },
      rss: {
        nodeOptions: launch.env.NODE_OPTIONS ?? '',
        small: { rows: options.smallRows, peakRssMiB: summarize(small) },
        large: { rows: options.rows, peakRssMiB: summarize(runnerRuns.map((r) => r.peakRssMiB)) },
      },
    };
  } finally {
    await Promise.all(shared.map((s) => s.stop()));
    await s3?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
