// The control plane as `npm run cluster` and `npm run demo` run it: kubeconfig in .local/,
// stopped cleanly on Ctrl-C or when a component dies.
import { copyFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startControlPlane, type ControlPlane } from './control-plane.ts';

export interface LocalCluster {
  readonly cp: ControlPlane;
  readonly kubeconfig: string;
  readonly localDir: string;
  readonly startSeconds: number;
}

export async function startLocalCluster(): Promise<LocalCluster> {
  const started = Date.now();
  const cp = await startControlPlane({ tools: 'control-plane' });
  // MODELSHIP_LOCAL_DIR lets tests run this without touching a developer's .local folder.
  const localDir = process.env.MODELSHIP_LOCAL_DIR ?? resolve(import.meta.dirname, '..', '..', '.local');
  mkdirSync(localDir, { recursive: true });
  const kubeconfig = resolve(localDir, 'kubeconfig');
  copyFileSync(cp.kubeconfigPath, kubeconfig);
  return { cp, kubeconfig, localDir, startSeconds: (Date.now() - started) / 1000 };
}

/** Runs `cleanup` then exits 0 on SIGINT/SIGTERM, or exits 1 if a component dies underneath. */
export function stopOnSignals(cluster: LocalCluster, cleanup: () => Promise<void> = () => Promise.resolve()): () => Promise<void> {
  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('stopping...\n');
    await cleanup();
    await cluster.cp.stop();
    process.exit(code);
  };
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  for (const p of cluster.cp.processes.values()) {
    void p.exited$.then((code) => {
      if (!stopping) {
        process.stderr.write(`${p.name} exited unexpectedly (code ${code}); see ${p.logFile}\n`);
        void stop(1);
      }
    });
  }
  return () => stop();
}
