// Tests hold client-node KubeConfigs for their own API calls; the operator's code takes a
// ClusterConnection. The same kubeconfig, through the operator's own loader.
import type { KubeConfig } from '@kubernetes/client-node';
import { clusterConnectionFromKubeconfig, type ClusterConnection } from '../../src/kube/cluster-connection.ts';

export function connectionOf(kc: KubeConfig): ClusterConnection {
  return clusterConnectionFromKubeconfig(kc.exportConfig(), 'test kubeconfig');
}
