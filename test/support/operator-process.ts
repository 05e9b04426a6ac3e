// The operator as a real process (`node src/main.ts`, what `npm start` and the image run), with its
// JSON log kept for assertions and its metrics endpoint found from the start-up line.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { after } from 'node:test';
import { eventually } from './wait.ts';
import { startScriptNodeFlags } from '../cluster/start-script-flags.ts';

const root = resolve(import.meta.dirname, '..', '..');

export interface OperatorProcess {
  readonly identity: string;
  readonly child: ChildProcess;
  readonly logLines: () => Record<string, unknown>[];
  readonly output: () => string;
  metricsPort(): Promise<number>;
  /** The value of one metric series from /metrics, 0 when absent. */
  metric(series: string): Promise<number>;
  kill(signal: NodeJS.Signals): void;
  exited(): Promise<number | null>;
}

export function startOperatorProcess(kubeconfig: string, identity: string, flags: readonly string[]): OperatorProcess {
  const child = spawn(
    process.execPath,
    [...startScriptNodeFlags(), 'src/main.ts', '--kubeconfig', kubeconfig, '--identity', identity, '--metrics-bind-address=127.0.0.1:0', '--health-probe-bind-address=127.0.0.1:0', ...flags],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const logLines = () =>
    output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const metricsPort = async () => {
    const line = await eventually(`${identity} to start`, () => Promise.resolve(logLines().find((l) => l.msg === 'modelship operator started')), (l) => l !== undefined, 60_000);
    return Number(line?.metricsPort);
  };
  return {
    identity,
    child,
    logLines,
    output: () => output,
    metricsPort,
    async metric(series) {
      const text = await (await fetch(`http://127.0.0.1:${await metricsPort()}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line ? Number(line.slice(series.length + 1)) : 0;
    },
    kill: (signal) => child.kill(signal),
    exited: () => exit,
  };
}
