// `npm run cluster`: a local control plane in the foreground, kubeconfig in .local/kubeconfig.
import { copyFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startControlPlane } from './control-plane.ts';

const started = Date.now();
const cp = await startControlPlane();
// MODELSHIP_LOCAL_DIR lets tests run this without touching a developer's .local folder.
const localDir = process.env.MODELSHIP_LOCAL_DIR ?? resolve(import.meta.dirname, '..', '..', '.local');
mkdirSync(localDir, { recursive: true });
const kubeconfig = resolve(localDir, 'kubeconfig');
copyFileSync(cp.kubeconfigPath, kubeconfig);
process.stdout.write(
  [
    `control plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${cp.server} (Kubernetes v1.35, ${cp.nodeNames.length} kwok nodes)`,
    `  export KUBECONFIG=${kubeconfig}`,
    `  ${cp.toolsDir}/kubectl get nodes`,
    `component logs: ${cp.dir}/logs`,
    'Ctrl-C stops it.',
    '',
  ].join('\n'),
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write('stopping...\n');
  await cp.stop();
  process.exit(0);
};
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
// Fail loudly if a component dies underneath the user.
for (const p of cp.processes.values()) {
  void p.exited$.then((code) => {
    if (!stopping) {
      process.stderr.write(`${p.name} exited unexpectedly (code ${code}); see ${p.logFile}\n`);
      void stop();
    }
  });
}
