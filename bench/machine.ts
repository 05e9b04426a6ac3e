// What every result file records about where it was measured: the machine, its load, and the
// versions of everything that ran.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { kubernetesVersion } from '../test/cluster/control-plane.ts';

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

/** The 1-, 5- and 15-minute load averages: others may share the machine. */
export function load(): { load1: number; load5: number; load15: number } {
  const [load1 = NaN, load5 = NaN, load15 = NaN] = loadavg().map((l) => Math.round(l * 100) / 100);
  return { load1, load5, load15 };
}

const root = join(import.meta.dirname, '..');

function moduleVersion(wrapper: string, modulePath: string): string {
  const gomod = readFileSync(join(root, 'test', 'cluster', 'go', wrapper, 'go.mod'), 'utf8');
  return new RegExp(`${modulePath.replaceAll('.', '\\.')} (v\\S+)`).exec(gomod)?.[1] ?? 'unknown';
}

function run(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export interface Versions {
  readonly modelship: string;
  readonly commit: string;
  readonly node: string;
  readonly kubernetes: string;
  readonly etcd: string;
  readonly kwok: string;
  readonly go: string;
}

let first: Versions | undefined;

/** Read once, at the first call (the run's start): what ran, even if HEAD moves during a long run. */
export function versions(): Versions {
  first ??= readVersions();
  return first;
}

function readVersions(): Versions {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const dirty = run('git', ['status', '--porcelain', '--untracked-files=no', 'src']) !== '';
  return {
    modelship: pkg.version,
    commit: `${run('git', ['rev-parse', '--short', 'HEAD'])}${dirty ? ' (src/ modified)' : ''}`,
    node: process.version,
    kubernetes: kubernetesVersion,
    etcd: moduleVersion('etcd', 'go.etcd.io/etcd/server/v3'),
    kwok: moduleVersion('kwok', 'sigs.k8s.io/kwok'),
    go: run('go', ['env', 'GOVERSION']),
  };
}
