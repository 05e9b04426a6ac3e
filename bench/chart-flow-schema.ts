// The chart's FlowSchema for the operator's Lease requests (charts/modelship/templates/
// flowschema-leader-election.yaml), rendered by the real helm for the benchmark's namespace and account
// and applied, so sharded operators on a bench cluster get the priority a chart install gives them.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';
import type { ApiClient, KubeObject } from '../src/kube/api-client.ts';

const chartDir = resolve(import.meta.dirname, '..', 'charts', 'modelship');

/** Applies the rendered FlowSchema and returns its name. */
export async function applyChartFlowSchema(client: ApiClient, toolsDir: string, namespace: string, serviceAccount: string): Promise<string> {
  const text = execFileSync(
    join(toolsDir, 'helm'),
    ['template', 'modelship', chartDir, '--namespace', namespace, '--set', 'serviceAccount.create=false', '--set', `serviceAccount.name=${serviceAccount}`, '--show-only', 'templates/flowschema-leader-election.yaml'],
    { encoding: 'utf8' },
  );
  const obj = load(text) as KubeObject & { apiVersion: string; kind: string };
  if (obj.kind !== 'FlowSchema') throw new Error(`helm rendered ${obj.kind}, expected the chart's FlowSchema`);
  const name = obj.metadata?.name ?? '';
  // The client's kind table holds what the operator handles; FlowSchema is not one, so the path is spelled out.
  await client.request('PATCH', `/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/${name}`, { query: { fieldManager: 'modelship-bench', force: true }, body: obj, contentType: 'application/apply-patch+yaml' });
  return name;
}
