// The operator's identity as the Helm chart installs it: the chart's ServiceAccount, ClusterRole and
// Roles, rendered with the project's helm and applied to the test cluster, and a kubeconfig holding a
// token of that ServiceAccount. Security tests run the operator with it, so what they show holds under
// exactly the rights the chart grants (a rule the code needs but the chart lacks fails them).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import { mintServiceAccountKubeconfig } from '../cluster/service-account-kubeconfig.ts';
import { chartDir, helm, mustSucceed, parseObjects } from './helm-chart.ts';
import { runTool } from './run-tool.ts';
import type { TestCluster } from './cluster.ts';

/** The release the tests install the chart's RBAC as: ServiceAccount `modelship` in `modelship-system`. */
export const CHART_NAMESPACE = 'modelship-system';
const RELEASE = 'modelship';
const RBAC_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

/**
 * Applies the chart's RBAC objects, as release `release` rendered with `helmArgs` (e.g. `--set`s), and
 * returns a client configuration authenticating as its ServiceAccount. Idempotent: test files sharing a
 * cluster apply the same objects (server-side apply, one field manager); a test that widens the rights
 * (e.g. `analysis.userSecrets`) takes a release of its own, so others keep the default's.
 */
export async function chartServiceAccount(cluster: TestCluster, helmArgs: readonly string[] = [], release = RELEASE): Promise<KubeConfig> {
  const rendered = await mustSucceed('helm template', helm(cluster.toolsDir, ['template', release, chartDir, '--namespace', CHART_NAMESPACE, ...helmArgs]));
  const objects = parseObjects(rendered).filter((o) => RBAC_KINDS.has(o.kind));
  const kubectl = (args: readonly string[], input?: string) => mustSucceed(`kubectl ${args[0] ?? ''}`, runTool(cluster.toolsDir, 'kubectl', ['--kubeconfig', cluster.kubeconfigPath, ...args], input));
  await kubectl(['apply', '--server-side', '--field-manager=chart-rbac', '-f', '-'], dump({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CHART_NAMESPACE } }));
  await kubectl(['apply', '--server-side', '--field-manager=chart-rbac', '-f', '-'], objects.map((o) => dump(o)).join('---\n'));
  const sa = objects.find((o) => o.kind === 'ServiceAccount')?.metadata.name;
  if (sa === undefined) throw new Error('the chart rendered no ServiceAccount');
  return mintServiceAccountKubeconfig(cluster.kubeConfig(), CHART_NAMESPACE, sa);
}

/** The same, written to a file for an operator process. */
export async function chartServiceAccountKubeconfigFile(cluster: TestCluster, helmArgs: readonly string[] = [], release = RELEASE): Promise<string> {
  const kc = await chartServiceAccount(cluster, helmArgs, release);
  const path = join(mkdtempSync(join(tmpdir(), 'modelship-chart-sa-')), 'kubeconfig');
  writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
  return path;
}
