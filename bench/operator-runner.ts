// The operator as the real process (`node src/main.ts`, what the image runs) for the benchmarks: its
// own process group and log file, its /metrics, and its memory and CPU time from /proc.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { freePort } from '../test/cluster/free-port.ts';
import { cacheRoot } from '../test/cluster/tools.ts';
import { imageEnvironment } from './image-environment.ts';
import { awaitHealthy } from '../test/cluster/await-healthy.ts';
import { ManagedProcess } from '../test/cluster/managed-process.ts';
import { parseConfig, type OperatorConfig } from '../src/config.ts';
import { parsePrometheusText, type Sample } from './prom-text.ts';
import { cpuSeconds, rssBytes } from './proc-stats.ts';
import { startScriptNodeFlags } from '../test/cluster/start-script-flags.ts';

const root = resolve(import.meta.dirname, '..');

export interface OperatorRun {
  readonly pid: number;
  readonly logFile: string;
  metrics(): Promise<Sample[]>;
  rss(): number;
  cpuSeconds(): number;
  /** False once the process has exited (e.g. after losing leadership). */
  running(): boolean;
  /** Signals its process group without waiting (kill -9 of a leader). */
  kill(signal: NodeJS.Signals): void;
  exited(): Promise<number | null>;
  stop(): Promise<void>;
}

/** The settings the operator runs with when given no flags: what the results record. */
export function defaultOperatorSettings(): Pick<OperatorConfig, 'kubeApiQps' | 'kubeApiBurst' | 'concurrency' | 'resyncPeriodMs'> {
  const parsed = parseConfig(['--identity', 'bench'], {});
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const { kubeApiQps, kubeApiBurst, concurrency, resyncPeriodMs } = parsed.config;
  return { kubeApiQps, kubeApiBurst, concurrency, resyncPeriodMs };
}

/** How every operator process of a run starts: node flags and entry point (see bench-args.ts). */
export interface OperatorLaunch {
  readonly nodeFlags: readonly string[];
  readonly entry?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export interface OperatorRunOptions {
  readonly kubeconfig: string;
  readonly dir: string;
  readonly name: string;
  /** Flags beyond the benchmark's (kubeconfig, identity, ports, no leader election). */
  readonly flags?: readonly string[];
  /** Node flags after `npm start`'s own, e.g. --cpu-prof. */
  readonly nodeFlags?: readonly string[];
  /** Extra environment, e.g. MALLOC_ARENA_MAX; an empty value unsets a variable (e.g. one of the image's, for a before figure). */
  readonly env?: Readonly<Record<string, string>>;
  /** Entry point relative to the repository (default src/main.ts): a patched copy, for before/after figures. */
  readonly entry?: string;
}

/**
 * Node's compile cache for the operator processes, warmed the way the image's build warms it
 * (Dockerfile, stage compile-cache): so they never load Node's TypeScript stripper, as in the image.
 * Warmed for the entry that runs (another version's copy with --operator-entry).
 */
export const COMPILE_CACHE = join(cacheRoot(), 'node-compile-cache');

export function warmCompileCache(entry = 'src/main.ts'): void {
  execFileSync(process.execPath, [...startScriptNodeFlags(), resolve(root, entry), '--help'], { cwd: root, env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE }, stdio: 'ignore' });
}

function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

export async function startOperator(options: OperatorRunOptions): Promise<OperatorRun> {
  const metricsPort = await freePort();
  const healthPort = await freePort();
  const logFile = join(options.dir, `${options.name}.log`);
  const proc = new ManagedProcess({
    name: options.name,
    command: process.execPath,
    cwd: root,
    args: [
      ...startScriptNodeFlags(),
      ...(options.nodeFlags ?? []),
      resolve(root, options.entry ?? 'src/main.ts'),
      `--kubeconfig=${options.kubeconfig}`,
      `--identity=${options.name}`,
      '--leader-elect=false',
      `--metrics-bind-address=127.0.0.1:${metricsPort}`,
      `--health-probe-bind-address=127.0.0.1:${healthPort}`,
      ...(options.flags ?? []),
    ],
    logFile,
    env: withoutEmpty({ ...process.env, ...imageEnvironment(), NODE_COMPILE_CACHE: COMPILE_CACHE, ...options.env }),
  });
  await awaitHealthy(proc, `http://127.0.0.1:${healthPort}/readyz`, { intervalMs: 100, tailLines: 20 });
  return {
    pid: proc.pid,
    logFile,
    async metrics() {
      return parsePrometheusText(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
    },
    rss: () => rssBytes(proc.pid),
    cpuSeconds: () => cpuSeconds(proc.pid),
    running: () => proc.running,
    kill: (signal) => proc.killNow(signal),
    exited: () => proc.exited$,
    // A CPU profile is written at exit: give it time.
    stop: () => proc.stop(30_000),
  };
}
