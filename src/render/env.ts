// Environment of the model server: the preset's variables, then the user's, which win on a clash.
import type { V1EnvVar } from '@kubernetes/client-node';
import type { EnvVar } from '../api/env-var.ts';

function toV1(env: EnvVar): V1EnvVar {
  const out: V1EnvVar = { name: env.name };
  if (env.value !== undefined) out.value = env.value;
  const from = env.valueFrom;
  if (from?.secretKeyRef !== undefined) {
    const { name, key, optional } = from.secretKeyRef;
    out.valueFrom = { secretKeyRef: { name, key, ...(optional !== undefined ? { optional } : {}) } };
  } else if (from?.configMapKeyRef !== undefined) {
    const { name, key, optional } = from.configMapKeyRef;
    out.valueFrom = { configMapKeyRef: { name, key, ...(optional !== undefined ? { optional } : {}) } };
  }
  return out;
}

export function mergeEnv(preset: readonly V1EnvVar[], user: readonly EnvVar[] | undefined): V1EnvVar[] {
  const userNames = new Set((user ?? []).map((e) => e.name));
  return [...preset.filter((e) => !userNames.has(e.name)), ...(user ?? []).map(toV1)];
}
