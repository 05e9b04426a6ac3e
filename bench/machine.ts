// What every result file records about where it was measured.
import { cpus, totalmem } from 'node:os';

export interface MachineInfo {
  readonly cores: number;
  readonly memoryGiB: number;
  readonly cpuModel: string;
  readonly node: string;
}

export function machineInfo(): MachineInfo {
  return {
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
}

export interface Summary {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly runs: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0] ?? NaN, median, max: sorted.at(-1) ?? NaN, runs: sorted.length };
}
