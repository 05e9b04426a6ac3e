// What a runtime preset contributes to the model server container.
import type { ModelSpec } from '../../api/model-spec.ts';
import type { PortName } from '../../api/runtime-presets.ts';

/** Where the model is, inside the model server container. */
export const MODEL_DIR = '/mnt/models';
/** Where files a preset needs (from the rendered ConfigMap) are mounted. */
export const CONFIG_DIR = '/etc/modelship';

export type ResolvedPorts = { http: number } & Partial<Record<Exclude<PortName, 'http'>, number>>;

export type ProbeTarget = { kind: 'http'; path: string; port: PortName } | { kind: 'tcp'; port: PortName };

export interface PresetInput {
  model: ModelSpec;
  ports: ResolvedPorts;
}

export interface ServerPlan {
  /** Empty: use the image's entrypoint. */
  command: string[];
  args: string[];
  env: { name: string; value: string }[];
  readiness: ProbeTarget;
  liveness: ProbeTarget;
  /** Where Prometheus scrapes, if the server has metrics. */
  metrics?: { port: PortName; path: string };
  /** Files mounted read-only at CONFIG_DIR, by file name. */
  configFiles?: Record<string, string>;
}

export interface RuntimePreset {
  defaultPorts: ResolvedPorts;
  /** Ports the server binds besides the ones it exposes (checked for clashes). */
  internalPorts?: number[];
  plan(input: PresetInput): ServerPlan;
}
