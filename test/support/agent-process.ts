// The inference agent as the process a pod runs (`node src/main.ts agent ...`), for its integration test
// and bench: free ports, wait for its first line, read its metrics, stop it with a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request, type Agent } from 'node:http';
import { resolve } from 'node:path';
import { freePort } from '../cluster/free-port.ts';

const root = resolve(import.meta.dirname, '..', '..');

export interface AgentProcess {
  readonly port: number;
  readonly metricsPort: number;
  readonly child: ChildProcess;
  stderr(): string;
  /** Sends the signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startAgent(args: readonly string[], env: Record<string, string>, nodeFlags: readonly string[] = []): Promise<AgentProcess> {
  const port = await freePort();
  const metricsPort = await freePort();
  const child = spawn(process.execPath, [...nodeFlags, 'src/main.ts', 'agent', `--port=${port}`, `--metrics-port=${metricsPort}`, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the agent did not start:\n${err}`)), 20_000);
    const check = () => {
      if (err.includes('modelship-agent: serving')) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stderr.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error(`the agent exited:\n${err}`));
    });
  });
  return {
    port,
    metricsPort,
    child,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly reusedSocket: boolean;
}

export function send(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string; agent?: Agent | false }): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), reusedSocket: req.reusedSocket }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(options.body);
  });
}

/** Samples of the text exposition as `name{labels}` -> value (labels as written). */
export async function scrape(metricsPort: number): Promise<Map<string, number>> {
  const text = (await send(metricsPort, { path: '/metrics' })).body.toString('utf8');
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** The value of one series, 0 when absent; `labels` in any order. */
export function sample(metrics: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const [key, value] of metrics) {
    const brace = key.indexOf('{');
    const n = brace === -1 ? key : key.slice(0, brace);
    if (n !== name) continue;
    const have = brace === -1 ? [] : key.slice(brace + 1, -1).split(',');
    if (want.length === have.length && want.every((w) => have.includes(w))) total += value;
  }
  return total;
}
