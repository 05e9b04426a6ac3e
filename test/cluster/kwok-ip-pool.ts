// kwok (v0.8.0, pkg/kwok/controllers/pod_controller.go ipPool) makes its pod-IP pool on first use with a load
// then a store that are not one step: two pods given IPs at the same moment in a fresh cluster (the two
// replicas of a test's first Deployment) can each get a pool of their own, so both get the CIDR's first
// address. On a data path the pod simulator serves an address for one pod only, so the other never answers
// and never becomes Ready. One pod given an IP before anything else runs makes the pool, once, with no race.
import type { HttpsResult } from './https-request.ts';
import { waitFor } from './https-request.ts';

type Api = (path: string, method?: string, body?: unknown) => Promise<HttpsResult>;

const NAME = 'kwok-ip-pool-warm-up';
const PATH = `/api/v1/namespaces/default/pods/${NAME}`;

/** Creates a pod on `nodeName`, waits until kwok gives it an IP, and deletes it (its IP goes back to the pool). */
export async function warmUpKwokIpPool(api: Api, nodeName: string): Promise<void> {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: NAME, namespace: 'default' },
    spec: { nodeName, automountServiceAccountToken: false, containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10' }] },
  };
  const created = await api('/api/v1/namespaces/default/pods', 'POST', pod);
  if (created.status !== 201 && created.status !== 409) throw new Error(`creating pod ${NAME}: ${created.status} ${created.body}`);
  await waitFor(`kwok to give pod ${NAME} an IP`, async () => {
    const res = await api(PATH);
    return res.status === 200 && Boolean((JSON.parse(res.body) as { status?: { podIP?: string } }).status?.podIP);
  }, 60_000);
  const deleted = await api(PATH, 'DELETE', { gracePeriodSeconds: 0 });
  if (deleted.status !== 200 && deleted.status !== 404) throw new Error(`deleting pod ${NAME}: ${deleted.status} ${deleted.body}`);
  await waitFor(`pod ${NAME} gone`, async () => (await api(PATH)).status === 404, 60_000);
}
