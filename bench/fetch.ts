// The model fetcher's throughput and memory (group `fetch`): one large object on the test object store
// (versitygw, test/cluster/s3-server.ts) fetched by the real fetcher process (`node src/main.ts fetch`,
// the image's command and environment, compile cache warmed as in the image) into a new folder on disk, against the floor:
// the same object read by the same SDK, with the fetcher's client settings, in a tight loop that only
// counts bytes (no file, no hash, no process start), and a second floor that only adds the file: the same
// read piped straight into a file on the same disk. Each run also fetches into /dev/shm, taking the disk
// out of the fetcher's time, and repeats the floor in a process started with the image's Node flags. Runs
// alternate; peak RSS is the process's VmHWM. Every client's CPU time (user + sys) per GiB is measured,
// and versitygw's over the same read, to tell what the fetcher itself costs from what it waits for; and on
// two or more cores each run repeats the floor and the fetcher with versitygw pinned to CPU 0 and the
// client to CPU 1 (taskset), so they cannot take each other's core.
// Before each step that writes to the disk the page cache is flushed (`sync`), so no step is throttled by
// the writeback of the one before.
import { execFileSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../src/fetcher/s3-source.ts';
import { s3Settings } from '../src/fetcher/s3-settings.ts';
import { startS3Server } from '../test/cluster/s3-server.ts';
import { imageEntrypointNodeFlags } from '../test/cluster/image-entrypoint.ts';
import { COMPILE_CACHE } from './operator-runner.ts';
import { imageEnvironment } from './image-environment.ts';
import { cpuSeconds, exitedChildrenCpuSeconds, peakRssBytes } from './proc-stats.ts';
import { round, summarize, type Summary } from './stats.ts';

const root = resolve(import.meta.dirname, '..');
// The Dockerfile's ENV, read once: the fetcher and the flagged floor run with it, and the result records it.
const IMAGE_ENV = imageEnvironment();
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export interface FetchBenchOptions {
  readonly sizeBytes: number;
  readonly runs: number;
  readonly toolsDir: string;
}

export interface FetchRun {
  readonly seconds: number;
  readonly mibPerSecond: number;
}

/** A client's read: its CPU time (user + sys) per GiB, and versitygw's while serving it. */
export interface ClientRun extends FetchRun {
  readonly cpuSecondsPerGiB: number;
  readonly serverCpuSecondsPerGiB: number;
}

export interface FetcherRun extends ClientRun {
  readonly ownSeconds: number;
  /** CPU per GiB from the fetcher's first log line (Node started, modules loaded) to its exit. */
  readonly ownCpuSecondsPerGiB: number;
  readonly peakRssMiB: number;
}

export interface CpuSummary {
  /** The client's CPU seconds (user + sys, all its threads) per GiB fetched. */
  readonly cpuSecondsPerGiB: Summary;
  /** versitygw's CPU seconds per GiB over the same reads. */
  readonly serverCpuSecondsPerGiB: Summary;
}

export interface FetchBenchResult {
  readonly objectMiB: number;
  readonly floor: CpuSummary & { readonly mibPerSecond: Summary; readonly runs: readonly ClientRun[] };
  /**
   * The same read in a process of its own started with the image's Node flags (the fetcher's), timed from
   * the request on: the floor the fetcher's own time compares with, flags and all.
   */
  readonly floorWithFlags: CpuSummary & { readonly mibPerSecond: Summary; readonly runs: readonly ClientRun[] };
  /** The same read piped into a file (createWriteStream): what writing to this disk costs. */
  readonly floorToFile: { readonly mibPerSecond: Summary; readonly runs: readonly FetchRun[] };
  readonly fetcher: CpuSummary & {
    readonly mibPerSecond: Summary;
    /**
     * Wall time of the whole process (Node's start, loading the SDK, listing, download, rename), and
     * ownSeconds, the fetcher's own time from its first log line to the rename (its `done` line, 0.1 s steps).
     */
    readonly runs: readonly FetcherRun[];
    /** Throughput over the fetcher's own time: what the download costs once the process has started. */
    readonly ownMibPerSecond: Summary;
    readonly ownCpuSecondsPerGiB: Summary;
    readonly peakRssMiB: Summary;
  };
  /** Median fetcher throughput over median floor throughput (whole process; its own time). */
  readonly ratioToFloor: number;
  readonly ownRatioToFloor: number;
  /** The fetcher's own time against the floor that writes the file. */
  readonly ownRatioToFloorToFile: number;
  /** The fetcher's own time against the floor with the same Node flags. */
  readonly ownRatioToFloorWithFlags: number;
  /**
   * The fetcher into a memory-backed folder (/dev/shm, as an emptyDir with medium Memory): the same process
   * with the disk taken out, against the read-only floor. Absent where /dev/shm is not there.
   */
  readonly toMemory?: { readonly mibPerSecond: Summary; readonly ownMibPerSecond: Summary; readonly ratioToFloor: number; readonly ownRatioToFloor: number };
  /**
   * The floor and the fetcher again with versitygw pinned to CPU 0 and the client to CPU 1: each has a core
   * of its own. Absent on one core or without taskset.
   */
  readonly pinned?: {
    readonly layout: string;
    readonly floor: CpuSummary & { readonly mibPerSecond: Summary; readonly runs: readonly ClientRun[] };
    readonly fetcher: CpuSummary & { readonly mibPerSecond: Summary; readonly ownMibPerSecond: Summary; readonly ownCpuSecondsPerGiB: Summary; readonly runs: readonly FetcherRun[] };
    readonly ratioToFloor: number;
    readonly ownRatioToFloor: number;
  };
  readonly destination: string;
  /** The environment of the fetcher's and the flagged floor's processes: the image's ENV (Dockerfile). */
  readonly imageEnvironment: Record<string, string>;
}

function writeRandomFile(file: string, size: number): void {
  const fd = openSync(file, 'w');
  const block = randomBytes(8 * MiB);
  for (let written = 0; written < size; written += block.length) writeSync(fd, block, 0, Math.min(block.length, size - written));
  closeSync(fd);
}

interface FetcherProcess {
  readonly seconds: number;
  readonly ownSeconds: number;
  readonly peakRss: number;
  /** CPU seconds of the whole process, and from its first log line on. */
  readonly cpuSeconds: number;
  readonly ownCpuSeconds: number;
}

async function runFetcher(uri: string, dest: string, env: Record<string, string>): Promise<FetcherProcess> {
  const started = performance.now();
  const cpuBefore = exitedChildrenCpuSeconds();
  const child = spawn(process.execPath, [...imageEntrypointNodeFlags(), 'src/main.ts', 'fetch', uri, dest], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...IMAGE_ENV, NODE_COMPILE_CACHE: COMPILE_CACHE, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let startupCpu: number | undefined;
  child.stderr.on('data', (c: Buffer) => {
    // Its first line comes once Node has started and loaded the fetcher: the CPU spent so far is start-up.
    startupCpu ??= cpuSeconds(child.pid!);
    stderr += c.toString();
  });
  let peak = 0;
  // VmHWM only grows: the last reading before exit is the peak, give or take the final 20 ms.
  const poll = setInterval(() => (peak = Math.max(peak, peakRssBytes(child.pid!) ?? 0)), 20);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearInterval(poll);
  const cpu = exitedChildrenCpuSeconds() - cpuBefore;
  if (code !== 0) throw new Error(`the fetcher exited with ${code}: ${stderr.trim().split('\n').at(-1)}`);
  // Its own "done: ... in <s>s" line: from its first line (Node started, modules loaded) to the rename.
  const own = /in (\d+(?:\.\d+)?)s$/.exec(stderr.trim().split('\n').at(-1) ?? '');
  return { seconds: (performance.now() - started) / 1000, ownSeconds: own ? Number(own[1]) : NaN, peakRss: peak, cpuSeconds: cpu, ownCpuSeconds: cpu - (startupCpu ?? 0) };
}

/** Pins every thread of `pid` to the CPUs in `cpus` (taskset's list syntax). */
function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

function canPin(): boolean {
  if (availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until the page cache has written back what earlier steps wrote. Each run writes several GiB; without
 * this, a fetch into the disk starts while the previous step's gigabyte is still being flushed, and the
 * kernel throttles its writes to the disk's pace (seen as 0.93x the floor on a run's first fetch and 0.55x
 * on the next ones). A pod's fetch on a node does not inherit a benchmark's backlog.
 */
function settleDisk(): void {
  execFileSync('sync', { stdio: 'ignore' });
}

function cpuSummary(runs: readonly ClientRun[]): CpuSummary {
  return { cpuSecondsPerGiB: summarize(runs.map((r) => r.cpuSecondsPerGiB)), serverCpuSecondsPerGiB: summarize(runs.map((r) => r.serverCpuSecondsPerGiB)) };
}

export async function runFetchBench(options: FetchBenchOptions, log: (m: string) => void): Promise<FetchBenchResult> {
  const work = mkdtempSync(join(tmpdir(), 'modelship-fetch-bench-'));
  const memoryRoot = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/modelship-fetch-bench-') : undefined;
  const s3 = await startS3Server({ toolsDir: options.toolsDir });
  try {
    // The fetcher's modules in the compile cache, as the image's build puts them there.
    execFileSync(process.execPath, [...imageEntrypointNodeFlags(), 'src/main.ts', 'fetch', '--help'], { cwd: root, env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE }, stdio: 'ignore' });
    const source = join(work, 'object.bin');
    writeRandomFile(source, options.sizeBytes);
    await s3.createBucket('bench');
    log(`fetch: uploading ${options.sizeBytes / MiB} MiB to versitygw`);
    await s3.uploadFile('bench', 'model/object.bin', source);
    rmSync(source);
    const env = s3.fetcherEnv();
    const client = s3Client(s3Settings(env));
    const mib = options.sizeBytes / MiB;
    const gib = options.sizeBytes / GiB;
    const server = s3.process.pid;
    const perGiB = (seconds: number) => round(seconds / gib, 2);
    const readFloor = async (): Promise<ClientRun> => {
      const cpu = process.cpuUsage();
      const serverCpu = cpuSeconds(server);
      const started = performance.now();
      const out = await client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'model/object.bin' }));
      let bytes = 0;
      for await (const chunk of out.Body as AsyncIterable<Uint8Array>) bytes += chunk.length;
      if (bytes !== options.sizeBytes) throw new Error(`floor read ${bytes} bytes`);
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      return { seconds: round(seconds), mibPerSecond: round(mib / seconds, 1), cpuSecondsPerGiB: perGiB((used.user + used.system) / 1e6), serverCpuSecondsPerGiB: perGiB(cpuSeconds(server) - serverCpu) };
    };
    const readFloorWithFlags = (): ClientRun => {
      const serverCpu = cpuSeconds(server);
      const out = execFileSync(process.execPath, [...imageEntrypointNodeFlags(), 'bench/fetch-floor-process.ts'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', ...IMAGE_ENV, NODE_COMPILE_CACHE: COMPILE_CACHE, ...env, BUCKET: 'bench', KEY: 'model/object.bin' },
        encoding: 'utf8',
      });
      const serverCpuSecondsPerGiB = perGiB(cpuSeconds(server) - serverCpu);
      const r = JSON.parse(out) as { seconds: number; cpuSeconds: number; bytes: number };
      if (r.bytes !== options.sizeBytes) throw new Error(`the floor process read ${r.bytes} bytes`);
      return { seconds: round(r.seconds), mibPerSecond: round(mib / r.seconds, 1), cpuSecondsPerGiB: perGiB(r.cpuSeconds), serverCpuSecondsPerGiB };
    };
    const fetchInto = async (dest: string): Promise<FetcherRun> => {
      settleDisk();
      const serverCpu = cpuSeconds(server);
      const f = await runFetcher('s3://bench/model/object.bin', dest, env);
      const serverCpuSecondsPerGiB = perGiB(cpuSeconds(server) - serverCpu);
      if (statSync(join(dest, 'object.bin')).size !== options.sizeBytes) throw new Error(`the fetcher wrote the wrong size into ${dest}`);
      rmSync(dest, { recursive: true, force: true });
      return {
        seconds: round(f.seconds),
        mibPerSecond: round(mib / f.seconds, 1),
        cpuSecondsPerGiB: perGiB(f.cpuSeconds),
        serverCpuSecondsPerGiB,
        ownSeconds: f.ownSeconds,
        ownCpuSecondsPerGiB: perGiB(f.ownCpuSeconds),
        peakRssMiB: round(f.peakRss / MiB, 1),
      };
    };
    const pinning = canPin();
    const allCpus = `0-${availableParallelism() - 1}`;
    const floorRuns: ClientRun[] = [];
    const withFlagsRuns: ClientRun[] = [];
    const toFileRuns: FetchRun[] = [];
    const fetcherRuns: FetcherRun[] = [];
    const memoryRuns: FetcherRun[] = [];
    const pinnedFloorRuns: ClientRun[] = [];
    const pinnedFetcherRuns: FetcherRun[] = [];
    for (let run = 1; run <= options.runs; run++) {
      floorRuns.push(await readFloor());
      withFlagsRuns.push(readFloorWithFlags());
      settleDisk();
      const toFileStarted = performance.now();
      const file = join(work, `floor-${run}.bin`);
      await pipeline((await client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'model/object.bin' }))).Body as AsyncIterable<Uint8Array>, createWriteStream(file));
      const toFileSeconds = (performance.now() - toFileStarted) / 1000;
      if (statSync(file).size !== options.sizeBytes) throw new Error('the floor wrote the wrong size');
      rmSync(file);
      toFileRuns.push({ seconds: round(toFileSeconds), mibPerSecond: round(mib / toFileSeconds, 1) });
      const fetched = await fetchInto(join(work, `dest-${run}`));
      fetcherRuns.push(fetched);
      if (memoryRoot) {
        const m = await fetchInto(join(memoryRoot, `dest-${run}`));
        memoryRuns.push(m);
        log(`fetch run ${run}/${options.runs}: fetcher into /dev/shm ${m.mibPerSecond} MiB/s (its own ${m.ownSeconds} s)`);
      }
      const f = floorRuns.at(-1)!;
      log(
        `fetch run ${run}/${options.runs}: floor ${f.mibPerSecond} MiB/s, ${f.cpuSecondsPerGiB} CPU s/GiB (with the image's flags ${withFlagsRuns.at(-1)!.mibPerSecond} MiB/s, ${withFlagsRuns.at(-1)!.cpuSecondsPerGiB} CPU s/GiB; to a file ${toFileRuns.at(-1)!.mibPerSecond}), ` +
          `fetcher ${fetched.mibPerSecond} MiB/s (${fetched.seconds} s, its own ${fetched.ownSeconds} s), ${fetched.cpuSecondsPerGiB} CPU s/GiB (${fetched.ownCpuSecondsPerGiB} its own), ` +
          `versitygw ${f.serverCpuSecondsPerGiB}/${fetched.serverCpuSecondsPerGiB} CPU s/GiB, peak RSS ${fetched.peakRssMiB} MiB`,
      );
      if (pinning) {
        // The fetcher process inherits this process's CPU while it is pinned.
        pin(server, '0');
        pin(process.pid, '1');
        try {
          pinnedFloorRuns.push(await readFloor());
          pinnedFetcherRuns.push(await fetchInto(join(work, `pinned-${run}`)));
        } finally {
          pin(process.pid, allCpus);
          pin(server, allCpus);
        }
        log(`fetch run ${run}/${options.runs} pinned (versitygw on CPU 0, client on CPU 1): floor ${pinnedFloorRuns.at(-1)!.mibPerSecond} MiB/s, fetcher ${pinnedFetcherRuns.at(-1)!.mibPerSecond} MiB/s (its own ${pinnedFetcherRuns.at(-1)!.ownSeconds} s)`);
      }
    }
    client.destroy();
    const own = (runs: readonly FetcherRun[]) => summarize(runs.map((r) => round(mib / r.ownSeconds, 1)));
    const floor = summarize(floorRuns.map((r) => r.mibPerSecond));
    const fetcher = summarize(fetcherRuns.map((r) => r.mibPerSecond));
    const toFile = summarize(toFileRuns.map((r) => r.mibPerSecond));
    const withFlags = summarize(withFlagsRuns.map((r) => r.mibPerSecond));
    const fetcherOwn = own(fetcherRuns);
    const memory = memoryRuns.length ? summarize(memoryRuns.map((r) => r.mibPerSecond)) : undefined;
    const memoryOwn = memoryRuns.length ? own(memoryRuns) : undefined;
    const pinnedFloor = summarize(pinnedFloorRuns.map((r) => r.mibPerSecond));
    const pinnedFetcher = summarize(pinnedFetcherRuns.map((r) => r.mibPerSecond));
    const pinnedOwn = own(pinnedFetcherRuns);
    return {
      objectMiB: mib,
      floor: { mibPerSecond: floor, ...cpuSummary(floorRuns), runs: floorRuns },
      floorWithFlags: { mibPerSecond: withFlags, ...cpuSummary(withFlagsRuns), runs: withFlagsRuns },
      floorToFile: { mibPerSecond: toFile, runs: toFileRuns },
      fetcher: {
        mibPerSecond: fetcher,
        ...cpuSummary(fetcherRuns),
        runs: fetcherRuns,
        ownMibPerSecond: fetcherOwn,
        ownCpuSecondsPerGiB: summarize(fetcherRuns.map((r) => r.ownCpuSecondsPerGiB)),
        peakRssMiB: summarize(fetcherRuns.map((r) => r.peakRssMiB)),
      },
      ratioToFloor: round(fetcher.median / floor.median),
      ownRatioToFloor: round(fetcherOwn.median / floor.median),
      ownRatioToFloorToFile: round(fetcherOwn.median / toFile.median),
      ownRatioToFloorWithFlags: round(fetcherOwn.median / withFlags.median),
      ...(memory && memoryOwn ? { toMemory: { mibPerSecond: memory, ownMibPerSecond: memoryOwn, ratioToFloor: round(memory.median / floor.median), ownRatioToFloor: round(memoryOwn.median / floor.median) } } : {}),
      ...(pinning
        ? {
            pinned: {
              layout: 'versitygw on CPU 0; the floor (this process) and the fetcher process on CPU 1',
              floor: { mibPerSecond: pinnedFloor, ...cpuSummary(pinnedFloorRuns), runs: pinnedFloorRuns },
              fetcher: {
                mibPerSecond: pinnedFetcher,
                ownMibPerSecond: pinnedOwn,
                ...cpuSummary(pinnedFetcherRuns),
                ownCpuSecondsPerGiB: summarize(pinnedFetcherRuns.map((r) => r.ownCpuSecondsPerGiB)),
                runs: pinnedFetcherRuns,
              },
              ratioToFloor: round(pinnedFetcher.median / pinnedFloor.median),
              ownRatioToFloor: round(pinnedOwn.median / pinnedFloor.median),
            },
          }
        : {}),
      destination: `a new folder under ${tmpdir()} (the same disk as the object store's folder)`,
      imageEnvironment: IMAGE_ENV,
    };
  } finally {
    await s3.stop();
    rmSync(work, { recursive: true, force: true });
    if (memoryRoot) rmSync(memoryRoot, { recursive: true, force: true });
  }
}
