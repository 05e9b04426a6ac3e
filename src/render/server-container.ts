// The model server container: the preset's plan, the user's overrides, restricted security.
import type { V1Container, V1ContainerPort, V1VolumeMount } from '@kubernetes/client-node';
import type { RuntimeSpec } from '../api/runtime-spec.ts';
import { PORT_NAMES } from '../api/runtime-presets.ts';
import { mergeEnv } from './env.ts';
import { livenessProbe, readinessProbe, startupProbe } from './probes.ts';
import type { NamedProbeTarget } from './probes.ts';
import type { ProbeTarget, ResolvedPorts, ServerPlan } from './presets/preset.ts';
import { containerResources } from './resources.ts';
import { containerSecurityContext } from './security.ts';

export const SERVER_CONTAINER = 'model-server';

export interface ServerContainerInput {
  runtime: RuntimeSpec;
  image: string;
  plan: ServerPlan;
  ports: ResolvedPorts;
  volumeMounts: V1VolumeMount[];
  /**
   * The name of the server's HTTP port and of its probes' target: `http` unless the logging agent
   * holds that name (agent-container.ts).
   */
  httpPortName?: string;
}

// A user command replaces the preset's entrypoint and arguments entirely; user arguments alone
// are appended to the preset's, so `--enable_batching` and the like keep the preset's wiring.
function commandAndArgs(runtime: RuntimeSpec, plan: ServerPlan): Pick<V1Container, 'command' | 'args'> {
  const command = runtime.command ?? plan.command;
  const args = runtime.command !== undefined ? (runtime.args ?? []) : [...plan.args, ...(runtime.args ?? [])];
  return {
    ...(command.length > 0 ? { command: [...command] } : {}),
    ...(args.length > 0 ? { args } : {}),
  };
}

function containerPorts(ports: ResolvedPorts, httpPortName: string): V1ContainerPort[] {
  const out: V1ContainerPort[] = [];
  for (const name of PORT_NAMES) {
    const port = ports[name];
    if (port !== undefined) out.push({ name: name === 'http' ? httpPortName : name, containerPort: port, protocol: 'TCP' });
  }
  return out;
}

function renamed(target: ProbeTarget, httpPortName: string): NamedProbeTarget {
  return target.port === 'http' && httpPortName !== 'http' ? { ...target, port: httpPortName } : target;
}

/** Seconds a terminating model server keeps serving before it gets SIGTERM. */
export const PRESTOP_DRAIN_SECONDS = 5;

export function serverContainer(input: ServerContainerInput): V1Container {
  const { runtime, plan } = input;
  const env = mergeEnv(plan.env, runtime.env);
  const resources = containerResources(runtime.resources);
  const httpPortName = input.httpPortName ?? 'http';
  return {
    name: SERVER_CONTAINER,
    image: input.image,
    ...commandAndArgs(runtime, plan),
    ...(env.length > 0 ? { env } : {}),
    ports: containerPorts(input.ports, httpPortName),
    ...(resources !== undefined ? { resources } : {}),
    readinessProbe: readinessProbe(renamed(plan.readiness, httpPortName)),
    livenessProbe: livenessProbe(renamed(plan.liveness, httpPortName)),
    startupProbe: startupProbe(renamed(plan.liveness, httpPortName)),
    // Keep serving while Services, gateways and meshes drop this endpoint: a rollout's scale-down then
    // drops no request. The kubelet's own sleep action needs no shell in the image.
    lifecycle: { preStop: { sleep: { seconds: PRESTOP_DRAIN_SECONDS } } },
    securityContext: containerSecurityContext(),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: input.volumeMounts,
  };
}
