// Reading examples and applying ModelDeployments in tests.
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { load } from 'js-yaml';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiClient } from '../../src/kube/api-client.ts';
import { connectionOf } from './connection.ts';
import type { ModelDeploymentObject } from '../../src/controller/caches.ts';
import { eventually } from './wait.ts';

export const examplesDir = resolve(import.meta.dirname, '..', '..', 'examples');

export function exampleFiles(): string[] {
  return readdirSync(examplesDir).filter((f) => f.endsWith('.yaml')).sort();
}

export function readExample(file: string): Record<string, unknown> & { metadata: { name: string } } {
  return load(readFileSync(resolve(examplesDir, file), 'utf8')) as Record<string, unknown> & { metadata: { name: string } };
}

/** A client for test set-up: plain, not rate limited, not counted with the operator's requests. */
export function testClient(kc: KubeConfig): ApiClient {
  return new ApiClient(connectionOf(kc), { qps: 1000, burst: 1000, userAgent: 'modelship-tests' });
}

export const mdRef = (namespace: string, name: string) => ({ apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', namespace, name });

export async function createModelDeployment(client: ApiClient, namespace: string, manifest: Record<string, unknown>): Promise<ModelDeploymentObject> {
  const body = { ...manifest, metadata: { ...(manifest.metadata as object), namespace } };
  return client.create<ModelDeploymentObject>(mdRef(namespace, ''), body);
}

export function conditionOf(md: ModelDeploymentObject | undefined, type: string): { status: string; reason: string; message: string } | undefined {
  return md?.status?.conditions?.find((c) => c.type === type);
}

/** An MLServer ModelDeployment at version 1 with the given rollout: the traffic tests' starting point. */
export function modelWithRollout(name: string, rollout: Record<string, unknown>, replicas = 2): Record<string, unknown> {
  return {
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name },
    spec: {
      model: { name, version: '1', uri: `s3://models/${name}/1`, format: 'sklearn' },
      runtime: { preset: 'mlserver' },
      replicas,
      rollout,
    },
  };
}

/** The data path's Gateway as a ModelDeployment's traffic.gateway. */
export function gatewayRef(gateway: { name: string; namespace: string; sectionName?: string }): Record<string, string> {
  return { name: gateway.name, namespace: gateway.namespace, ...(gateway.sectionName ? { sectionName: gateway.sectionName } : {}) };
}

/** Waits until the ModelDeployment is Ready for its current generation. */
export function readyForGeneration(client: ApiClient, namespace: string, name: string, timeoutMs = 60_000): Promise<ModelDeploymentObject | undefined> {
  return eventually(
    `${name} to be Ready for its generation`,
    () => client.get<ModelDeploymentObject>(mdRef(namespace, name)),
    (md) => conditionOf(md, 'Ready')?.status === 'True' && md?.status?.observedGeneration === md?.metadata?.generation,
    timeoutMs,
  );
}
