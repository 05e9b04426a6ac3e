// A bound PersistentVolumeClaim for tests of pvc:// models (a hostPath volume; kwok never mounts it, the process
// runtime serves the pods on its node the host folder).
import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { after } from 'node:test';
import { eventually } from './wait.ts';

export async function boundClaim(kc: KubeConfig, namespace: string, name: string, hostPath = '/tmp/models'): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const pv = `pv-${namespace}-${randomBytes(2).toString('hex')}`.slice(0, 63);
  await core.createPersistentVolume({
    body: {
      metadata: { name: pv },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadOnlyMany'], hostPath: { path: hostPath }, storageClassName: '', claimRef: { namespace, name } },
    },
  });
  after(async () => {
    await core.deletePersistentVolume({ name: pv }).catch(() => undefined);
  });
  await core.createNamespacedPersistentVolumeClaim({
    namespace,
    body: { metadata: { name }, spec: { accessModes: ['ReadOnlyMany'], resources: { requests: { storage: '1Gi' } }, storageClassName: '', volumeName: pv } },
  });
  await eventually(`claim ${name} to be bound`, () => core.readNamespacedPersistentVolumeClaim({ namespace, name }), (c) => c.status?.phase === 'Bound', 30_000);
}
