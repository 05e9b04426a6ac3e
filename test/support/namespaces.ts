// A fresh namespace per test file on the shared control plane, deleted when the file ends.
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

export async function testNamespace(kc: KubeConfig, prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`.slice(0, 63);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name, labels: { 'modelship.io/test': 'true' } } } });
  after(async () => {
    await core.deleteNamespace({ name }).catch(() => undefined);
  });
  return name;
}
