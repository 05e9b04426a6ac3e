// The model fetcher's throughput and memory (group `fetch`): one large object on the test object store
// (versitygw, test/cluster/s3-server.ts) fetched by the real fetcher process (`node src/main.ts fetch`,
// the image's command, compile cache warmed as in the image) into a new folder on disk, against the floor:
// the same object read by the same SDK, with the fetcher's client settings, in a tight loop that only
// counts bytes (no file, no hash, no process start), and a second floor that only adds the file: the same
// read piped straight into a file on the same disk. Each run also fetches into /dev/shm, taking the disk
// out of the fetcher's time. Runs alternate; peak RSS is the process's VmHWM.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../src/fetcher/s3-source.ts';
import { s3Settings } from '../src/fetcher/s3-settings.ts';
import { startS3Server } from '../test/cluster/s3-server.ts';
import { startScriptNodeFlags } from '../test/cluster/start-script-flags.ts';
import { COMPILE_CACHE } from './operator-runner.ts';
import { round, summarize, type Summary } from './stats.ts';

const root = resolve(import.meta.dirname, '..');
const MiB = 1024 * 1024;

export interface FetchBenchOptions {
  readonly sizeBytes: number;
  readonly runs: number;
  readonly toolsDir: string;
}

export interface FetchRun {
  readonly seconds: number;
  readonly mibPerSecond: number;
}

export interface FetchBenchResult {
  readonly objectMiB: number;
  readonly floor: { readonly mibPerSecond: Summary; readonly runs: readonly FetchRun[] };
  /** The same read piped into a file (createWriteStream): what writing to this disk costs. */
  readonly floorToFile: { readonly mibPerSecond: Summary; readonly runs: readonly FetchRun[] };
  readonly fetcher: {
    readonly mibPerSecond: Summary;
    /**
     * Wall time of the whole process (Node's start, loading the SDK, listing, download, rename), and
     * ownSeconds, the fetcher's own time from its first log line to the rename (its `done` line, 0.1 s steps).
     */
    readonly runs: readonly (FetchRun & { readonly ownSeconds: number; readonly peakRssMiB: number })[];
    /** Throughput over the fetcher's own time: what the download costs once the process has started. */
    readonly ownMibPerSecond: Summary;
    readonly peakRssMiB: Summary;
  };
  /** Median fetcher throughput over median floor throughput (whole process; its own time). */
  readonly ratioToFloor: number;
  readonly ownRatioToFloor: number;
  /** The fetcher's own time against the floor that writes the file. */
  readonly ownRatioToFloorToFile: number;
  /**
   * The fetcher into a memory-backed folder (/dev/shm, as an emptyDir with medium Memory): the same process
   * with the disk taken out, against the read-only floor. Absent where /dev/shm is not there.
   */
  readonly toMemory?: { readonly mibPerSecond: Summary; readonly ownMibPerSecond: Summary; readonly ratioToFloor: number; readonly ownRatioToFloor: number };
  readonly destination: string;
}

function writeRandomFile(file: string, size: number): void {
  const fd = openSync(file, 'w');
  const block = randomBytes(8 * MiB);
  for (let written = 0; written < size; written += block.length) writeSync(fd, block, 0, Math.min(block.length, size - written));
  closeSync(fd);
}

function peakRss(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function runFetcher(uri: string, dest: string, env: Record<string, string>): Promise<{ seconds: number; ownSeconds: number; peakRss: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [...startScriptNodeFlags(), 'src/main.ts', 'fetch', uri, dest], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_COMPILE_CACHE: COMPILE_CACHE, MALLOC_ARENA_MAX: '2', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let peak = 0;
  // VmHWM only grows: the last reading before exit is the peak, give or take the final 20 ms.
  const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!) ?? 0)), 20);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearInterval(poll);
  if (code !== 0) throw new Error(`the fetcher exited with ${code}: ${stderr.trim().split('\n').at(-1)}`);
  // Its own "done: ... in <s>s" line: from its first line (Node started, modules loaded) to the rename.
  const own = /in (\d+(?:\.\d+)?)s$/.exec(stderr.trim().split('\n').at(-1) ?? '');
  return { seconds: (performance.now() - started) / 1000, ownSeconds: own ? Number(own[1]) : NaN, peakRss: peak };
}

export async function runFetchBench(options: FetchBenchOptions, log: (m: string) => void): Promise<FetchBenchResult> {
  const work = mkdtempSync(join(tmpdir(), 'modelship-fetch-bench-'));
  const memoryRoot = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/modelship-fetch-bench-') : undefined;
  const s3 = await startS3Server({ toolsDir: options.toolsDir });
  try {
    // The fetcher's modules in the compile cache, as the image's build puts them there.
    execFileSync(process.execPath, [...startScriptNodeFlags(), 'src/main.ts', 'fetch', '--help'], { cwd: root, env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE }, stdio: 'ignore' });
    const source = join(work, 'object.bin');
    writeRandomFile(source, options.sizeBytes);
    await s3.createBucket('bench');
    log(`fetch: uploading ${options.sizeBytes / MiB} MiB to versitygw`);
    await s3.uploadFile('bench', 'model/object.bin', source);
    rmSync(source);
    const env = s3.fetcherEnv();
    const client = s3Client(s3Settings(env));
    const floorRuns: FetchRun[] = [];
    const toFileRuns: FetchRun[] = [];
    const fetcherRuns: (FetchRun & { ownSeconds: number; peakRssMiB: number })[] = [];
    const memoryRuns: (FetchRun & { ownSeconds: number })[] = [];
    const mib = options.sizeBytes / MiB;
    for (let run = 1; run <= options.runs; run++) {
      const started = performance.now();
      const out = await client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'model/object.bin' }));
      let bytes = 0;
      for await (const chunk of out.Body as AsyncIterable<Uint8Array>) bytes += chunk.length;
      if (bytes !== options.sizeBytes) throw new Error(`floor read ${bytes} bytes`);
      const floorSeconds = (performance.now() - started) / 1000;
      floorRuns.push({ seconds: round(floorSeconds), mibPerSecond: round(mib / floorSeconds, 1) });
      const toFileStarted = performance.now();
      const file = join(work, `floor-${run}.bin`);
      await pipeline((await client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'model/object.bin' }))).Body as AsyncIterable<Uint8Array>, createWriteStream(file));
      const toFileSeconds = (performance.now() - toFileStarted) / 1000;
      if (statSync(file).size !== options.sizeBytes) throw new Error('the floor wrote the wrong size');
      rmSync(file);
      toFileRuns.push({ seconds: round(toFileSeconds), mibPerSecond: round(mib / toFileSeconds, 1) });
      const dest = join(work, `dest-${run}`);
      const fetched = await runFetcher('s3://bench/model/object.bin', dest, env);
      if (statSync(join(dest, 'object.bin')).size !== options.sizeBytes) throw new Error('the fetcher wrote the wrong size');
      rmSync(dest, { recursive: true, force: true });
      fetcherRuns.push({ seconds: round(fetched.seconds), mibPerSecond: round(mib / fetched.seconds, 1), ownSeconds: fetched.ownSeconds, peakRssMiB: round(fetched.peakRss / MiB, 1) });
      if (memoryRoot) {
        const inMemory = join(memoryRoot, `dest-${run}`);
        const m = await runFetcher('s3://bench/model/object.bin', inMemory, env);
        if (statSync(join(inMemory, 'object.bin')).size !== options.sizeBytes) throw new Error('the fetcher wrote the wrong size to memory');
        rmSync(inMemory, { recursive: true, force: true });
        memoryRuns.push({ seconds: round(m.seconds), mibPerSecond: round(mib / m.seconds, 1), ownSeconds: m.ownSeconds });
        log(`fetch run ${run}/${options.runs}: fetcher into /dev/shm ${memoryRuns.at(-1)!.mibPerSecond} MiB/s (its own ${m.ownSeconds} s)`);
      }
      log(`fetch run ${run}/${options.runs}: floor ${floorRuns.at(-1)!.mibPerSecond} MiB/s (to a file ${toFileRuns.at(-1)!.mibPerSecond}), fetcher ${fetcherRuns.at(-1)!.mibPerSecond} MiB/s (${fetched.seconds.toFixed(2)} s, its own ${fetched.ownSeconds} s), peak RSS ${fetcherRuns.at(-1)!.peakRssMiB} MiB`);
    }
    client.destroy();
    const floor = summarize(floorRuns.map((r) => r.mibPerSecond));
    const fetcher = summarize(fetcherRuns.map((r) => r.mibPerSecond));
    const toFile = summarize(toFileRuns.map((r) => r.mibPerSecond));
    const own = summarize(fetcherRuns.map((r) => round(mib / r.ownSeconds, 1)));
    const memory = memoryRuns.length ? summarize(memoryRuns.map((r) => r.mibPerSecond)) : undefined;
    const memoryOwn = memoryRuns.length ? summarize(memoryRuns.map((r) => round(mib / r.ownSeconds, 1))) : undefined;
    return {
      objectMiB: mib,
      floor: { mibPerSecond: floor, runs: floorRuns },
      floorToFile: { mibPerSecond: toFile, runs: toFileRuns },
      fetcher: {
        mibPerSecond: fetcher,
        runs: fetcherRuns,
        ownMibPerSecond: own,
        peakRssMiB: summarize(fetcherRuns.map((r) => r.peakRssMiB)),
      },
      ratioToFloor: round(fetcher.median / floor.median),
      ownRatioToFloor: round(own.median / floor.median),
      ownRatioToFloorToFile: round(own.median / toFile.median),
      ...(memory && memoryOwn ? { toMemory: { mibPerSecond: memory, ownMibPerSecond: memoryOwn, ratioToFloor: round(memory.median / floor.median), ownRatioToFloor: round(memoryOwn.median / floor.median) } } : {}),
      destination: `a new folder under ${tmpdir()} (the same disk as the object store's folder)`,
    };
  } finally {
    await s3.stop();
    rmSync(work, { recursive: true, force: true });
    if (memoryRoot) rmSync(memoryRoot, { recursive: true, force: true });
  }
}
