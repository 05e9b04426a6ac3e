// `npm run cluster`: a local control plane in the foreground, kubeconfig in .local/kubeconfig.
import { startLocalCluster, stopOnSignals } from './local-cluster.ts';

const cluster = await startLocalCluster();
process.stdout.write(
  [
    `control plane ready in ${cluster.startSeconds.toFixed(1)} s: ${cluster.cp.server} (Kubernetes v1.35, ${cluster.cp.nodeNames.length} kwok nodes)`,
    `  export KUBECONFIG=${cluster.kubeconfig}`,
    `  ${cluster.cp.toolsDir}/kubectl get nodes`,
    `component logs: ${cluster.cp.dir}/logs`,
    'Ctrl-C stops it.',
    '',
  ].join('\n'),
);
stopOnSignals(cluster);
