// Create an object, or replace it when a previous run (or a restart) already made it: harness setup is
// idempotent.
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';

export async function upsert(client: KubernetesObjectApi, obj: KubernetesObject): Promise<void> {
  try {
    await client.create(obj);
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
    const existing = await client.read(obj as KubernetesObject & { metadata: { name: string } });
    await client.replace({ ...obj, metadata: { ...obj.metadata, resourceVersion: existing.metadata?.resourceVersion } });
  }
}
