// I/O: one key of a Secret in the operator's namespace (the platform's credentials for its targets).
import type { ApiClient, KubeObject } from '../kube/api-client.ts';

type SecretObject = KubeObject & { data?: Record<string, string> };

export async function secretValue(client: ApiClient, namespace: string, name: string, key: string): Promise<string> {
  const secret = await client.get<SecretObject>({ apiVersion: 'v1', kind: 'Secret', namespace, name });
  const value = secret?.data?.[key];
  if (value === undefined) throw new Error(`Secret ${name} key ${key} was not found in namespace ${namespace}`);
  return Buffer.from(value, 'base64').toString('utf8');
}
