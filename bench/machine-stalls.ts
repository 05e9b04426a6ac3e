// Stalls of the whole machine during a benchmark: a worker thread (an event loop of its own, so the
// benchmark's own work does not delay it) wakes every 100 ms and records each wake-up that came more
// than a threshold late, with what the kernel counted over that gap (/proc/stat, all cores): busy,
// idle, iowait, and steal, the time the host gave this machine's CPUs to others. When every operator's
// event loop is delayed at the same instant, this says whether the machine itself stood still.
import { Worker } from 'node:worker_threads';

export interface MachineStall {
  /** When the late wake-up came (ISO time). */
  readonly at: string;
  /** How much later than due the wake-up came. */
  readonly gapMs: number;
  /** CPU time over the gap, summed over cores (so up to cores x gap each). */
  readonly busyMs: number;
  readonly idleMs: number;
  readonly iowaitMs: number;
  readonly stealMs: number;
}

export interface CpuTimes {
  readonly busy: number;
  readonly idle: number;
  readonly iowait: number;
  readonly steal: number;
}

/** PURE: the aggregate `cpu` line of /proc/stat, in ms (its unit is USER_HZ, 100 a second on Linux). */
export function cpuTimes(procStat: string): CpuTimes | undefined {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) return undefined;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq) * 10, idle: idle * 10, iowait: iowait * 10, steal: steal * 10 };
}

/** PURE: the stall between two samples, or undefined when the wake-up was not late enough. */
export function stallBetween(gapMs: number, before: CpuTimes, after: CpuTimes, thresholdMs: number, at: Date): MachineStall | undefined {
  if (gapMs < thresholdMs) return undefined;
  return {
    at: at.toISOString(),
    gapMs: Math.round(gapMs),
    busyMs: after.busy - before.busy,
    idleMs: after.idle - before.idle,
    iowaitMs: after.iowait - before.iowait,
    stealMs: after.steal - before.steal,
  };
}

export interface StallSampler {
  /** Stops sampling; the stalls seen, in order. */
  stop(): Promise<MachineStall[]>;
}

const SAMPLE_MS = 100;

export function startStallSampler(thresholdMs = 1000): StallSampler {
  const worker = new Worker(new URL('./machine-stalls-worker.ts', import.meta.url), { workerData: { thresholdMs, sampleMs: SAMPLE_MS } });
  const stalls: MachineStall[] = [];
  worker.on('message', (m: MachineStall) => stalls.push(m));
  worker.on('error', () => undefined); // no /proc/stat (not Linux): no stalls recorded
  worker.unref();
  return {
    stop: async () => {
      await worker.terminate();
      return stalls;
    },
  };
}
