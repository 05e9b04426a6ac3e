// The sampling thread of machine-stalls.ts: posts each late wake-up to the benchmark's thread.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { cpuTimes, stallBetween } from './machine-stalls.ts';

const { thresholdMs, sampleMs } = workerData as { thresholdMs: number; sampleMs: number };
const read = () => cpuTimes(readFileSync('/proc/stat', 'utf8'));
let last = { t: performance.now(), cpu: read() };
setInterval(() => {
  const now = { t: performance.now(), cpu: read() };
  if (last.cpu !== undefined && now.cpu !== undefined) {
    // The gap beyond the sampling interval is how late this wake-up came.
    const stall = stallBetween(now.t - last.t - sampleMs, last.cpu, now.cpu, thresholdMs, new Date());
    if (stall !== undefined) parentPort?.postMessage(stall);
  }
  last = now;
}, sampleMs);
