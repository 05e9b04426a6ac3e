// How the API server's API Priority and Fairness classified a request: every response it lets through
// (an authorization refusal included, which comes after classification) carries the matched FlowSchema's
// and priority level's uids in X-Kubernetes-PF-FlowSchema-UID and X-Kubernetes-PF-PriorityLevel-UID.
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface ApfClassification {
  readonly status: number;
  readonly flowSchemaUid: string | undefined;
  readonly priorityLevelUid: string | undefined;
}

/** A GET of `path` as the KubeConfig's user; the body is discarded. */
export async function apfClassification(kc: KubeConfig, path: string): Promise<ApfClassification> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const options: RequestOptions = { method: 'GET', headers: { accept: 'application/json' }, timeout: 10_000 };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server), options, (res) => {
      res.resume();
      const header = (name: string) => {
        const v = res.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, flowSchemaUid: header('x-kubernetes-pf-flowschema-uid'), priorityLevelUid: header('x-kubernetes-pf-prioritylevel-uid') }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: GET ${path}`)));
    req.on('error', reject);
    req.end();
  });
}
