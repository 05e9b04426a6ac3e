// One `modelship batch` process as a batch Job's runner container runs it: the Job's command and its Node
// flags (RUNNER_COMMAND, `node --max-semi-space-size=4 src/main.ts`), the image's environment (Dockerfile
// ENV, the compile cache warmed as its build does) and the NODE_OPTIONS the Job renders for the runner
// (RUNNER_NODE_OPTIONS). Peak RSS is the process's VmHWM, sampled every 20 ms.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RUNNER_COMMAND, RUNNER_NODE_OPTIONS } from '../src/batch/run-job.ts';
import { imageEnvironment } from './image-environment.ts';
import { COMPILE_CACHE } from './operator-runner.ts';
import { cpuSeconds, peakRssBytes } from './proc-stats.ts';

const root = resolve(import.meta.dirname, '..');

/** The Node flags of the Job's runner command (between node and the script). */
const RUNNER_NODE_FLAGS = RUNNER_COMMAND.slice(1, -1);

export interface RunnerExit {
  readonly seconds: number;
  readonly peakRssBytes: number;
  /** User and system CPU, as last read before exit (20 ms steps). */
  readonly cpuSeconds: number;
  /** The records/s of the runner's last progress line: its own time, from its start to its marker. */
  readonly ownRecordsPerSecond: number;
  readonly scored: number;
  readonly records: number;
}

/** How the runner runs, for the result file. */
export function runnerLaunch(): { command: string; env: Record<string, string> } {
  return { command: `node ${RUNNER_NODE_FLAGS.join(' ')} src/main.ts batch ...`, env: { ...imageEnvironment(), NODE_OPTIONS: RUNNER_NODE_OPTIONS, NODE_COMPILE_CACHE: `${COMPILE_CACHE} (warmed first)` } };
}

/** Loads the runner's modules once, so they are in the compile cache as the image's build leaves them. */
export function warmRunnerCompileCache(): void {
  execFileSync(process.execPath, [...RUNNER_NODE_FLAGS, 'src/main.ts', 'batch', '--help'], { cwd: root, env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE }, stdio: 'ignore' });
}

/** `nodeFlags` go after the runner command's (the benchmark's --profile gives --cpu-prof). */
export async function runRunner(args: readonly string[], env: Readonly<Record<string, string>>, terminationLog: string, nodeFlags: readonly string[] = []): Promise<RunnerExit> {
  const started = performance.now();
  const child = spawn(process.execPath, [...RUNNER_NODE_FLAGS, ...nodeFlags, 'src/main.ts', 'batch', '--termination-log', terminationLog, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...imageEnvironment(), NODE_COMPILE_CACHE: COMPILE_CACHE, NODE_OPTIONS: RUNNER_NODE_OPTIONS, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let peak = 0;
  let cpu = 0;
  // VmHWM only grows: the last reading before exit is the peak, give or take the final 20 ms.
  const poll = setInterval(() => {
    peak = Math.max(peak, peakRssBytes(child.pid!) ?? 0);
    try {
      cpu = cpuSeconds(child.pid!);
    } catch {
      // exited
    }
  }, 20);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(poll);
  const lines = stderr.trim().split('\n');
  if (code !== 0) throw new Error(`the runner exited with ${code}: ${lines.at(-1)}`);
  const summary = JSON.parse(readFileSync(terminationLog, 'utf8')) as { scored: number; records: number };
  const progress = lines.filter((l) => l.includes('progress read')).at(-1) ?? '';
  const own = /, (\d+(?:\.\d+)?) records\/s/.exec(progress);
  return { seconds, peakRssBytes: peak, cpuSeconds: cpu, ownRecordsPerSecond: own ? Number(own[1]) : NaN, scored: summary.scored, records: summary.records };
}
