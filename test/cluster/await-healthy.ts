// A started process is usable once one of its health URLs answers 200; if it exits first or never
// answers, it is stopped and the error carries its last log lines.
import { waitFor } from './https-request.ts';
import type { ManagedProcess } from './managed-process.ts';

export async function awaitHealthy(proc: ManagedProcess, url: string, options: { timeoutMs?: number; intervalMs?: number; tailLines?: number } = {}): Promise<void> {
  try {
    await waitFor(
      `${proc.name} ${new URL(url).pathname}`,
      async () => {
        if (!proc.running) throw new Error(`${proc.name} exited:\n${proc.tail(options.tailLines ?? 30)}`);
        return (await fetch(url)).status === 200;
      },
      options.timeoutMs ?? 120_000,
      options.intervalMs ?? 200,
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
}
