// A child process in its own process group with its output in a log file, stopped with
// SIGTERM then SIGKILL to the whole group. Every live one is killed if the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

const live = new Set<ManagedProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: signal the groups and let the kernel do the rest.
  process.on('exit', () => {
    for (const p of live) p.killNow();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const p of live) p.killNow();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

export interface ManagedProcessOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export class ManagedProcess {
  readonly name: string;
  readonly logFile: string;
  readonly pid: number;
  private readonly child: ChildProcess;
  private exited = false;
  private exitSignalValue: NodeJS.Signals | null = null;
  private exitCodeValue: number | null = null;
  private readonly exitPromise: Promise<number | null>;

  constructor(options: ManagedProcessOptions) {
    installExitHook();
    this.name = options.name;
    this.logFile = options.logFile;
    const fd = openSync(options.logFile, 'a');
    this.child = spawn(options.command, options.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
    });
    closeSync(fd);
    if (this.child.pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`);
    this.pid = this.child.pid;
    this.exitPromise = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        this.exitCodeValue = code;
        this.exitSignalValue = signal;
        live.delete(this);
        resolve(code ?? (signal ? -1 : null));
      });
    });
    this.child.on('error', () => {
      /* reported through exit and the log file */
    });
    live.add(this);
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Resolves with the exit code when the process ends. */
  get exited$(): Promise<number | null> {
    return this.exitPromise;
  }

  /** How the process ended (undefined while it runs): its exit code, or the signal that killed it. */
  get exitStatus(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exited ? { code: this.exitCodeValue, signal: this.exitSignalValue } : undefined;
  }

  killNow(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.exited) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      /* already gone */
    }
  }

  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.killNow('SIGTERM');
    const timer = setTimeout(() => this.killNow('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }

  tail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines - 1).join('\n');
    } catch {
      return '';
    }
  }
}
