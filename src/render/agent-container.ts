// The inference agent (spec.monitoring.logging): a container of modelship's image in front of the model
// server. It takes the pod's serving port (the container port named `http`, which the Services target
// by name), proxies to the server moved to AGENT_UPSTREAM_PORT on loopback, serves its own metrics
// followed by the server's on AGENT_METRICS_PORT, and writes sampled request/response pairs to the
// tenant's bucket with the tenant's own Secret. The gRPC port stays the server's: it is not proxied.
import type { V1Container, V1EnvFromSource, V1EnvVar, V1Probe, V1ResourceRequirements } from '@kubernetes/client-node';
import { AGENT_METRICS_PORT, AGENT_PORTS, AGENT_UPSTREAM_PORT } from '../api/logging-spec.ts';
import type { LoggingSpec } from '../api/logging-spec.ts';
import type { ModelSpec } from '../api/model-spec.ts';
import { quantityString } from '../api/quantity.ts';
import { PORT_NAMES } from '../api/runtime-presets.ts';
import type { RuntimePresetName } from '../api/runtime-presets.ts';
import { renderError } from './errors.ts';
import type { RenderError } from './errors.ts';
import type { Variant } from './names.ts';
import type { ProbeTarget, ResolvedPorts, ServerPlan } from './presets/preset.ts';
import { livenessProbe, readinessProbe } from './probes.ts';
import { containerSecurityContext } from './security.ts';
import { PRESTOP_DRAIN_SECONDS } from './server-container.ts';

export const AGENT_CONTAINER = 'agent';
/** The agent's metrics port; the model server keeps `metrics` for its own. */
export const AGENT_METRICS_PORT_NAME = 'agent-metrics';
/** The model server's HTTP port behind the agent: `http` is the agent's. */
export const SERVER_HTTP_PORT_NAME = 'server-http';
export const AGENT_METRICS_PATH = '/metrics';
export const POD_NAME_ENV = 'MODELSHIP_POD_NAME';
export const POD_NAMESPACE_ENV = 'MODELSHIP_POD_NAMESPACE';

// The agent is on the serving path: an OOM kill is an outage. It peaked at 149 MiB logging every request at
// saturation to a store that was down (a full 16 MiB buffer, its old space capped at 80 MiB), idle 77 MiB.
export const DEFAULT_AGENT_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: '50m', memory: '64Mi' },
  limits: { memory: '256Mi' },
};

/**
 * The agent's V8 old space. Without a cap V8 grows the heap lazily to hundreds of MiB under load (360 MiB
 * RSS logging every request to a store that is down); 80 MiB holds the 16 MiB default buffer, the record
 * index and the AWS SDK. A command-line flag wins over NODE_OPTIONS, so the image's flags stay.
 */
export const AGENT_NODE_OPTIONS = '--max-old-space-size=80';

export interface AgentInput {
  logging: LoggingSpec;
  /** The variant's model: its version, and its credentials when logging names none. */
  model: ModelSpec;
  modelDeploymentName: string;
  variant: Variant;
  revision: number | undefined;
  /** The pod's ports as the Services see them: `http` is where the agent listens. */
  ports: ResolvedPorts;
  /** The server's plan, rendered with its HTTP port moved to AGENT_UPSTREAM_PORT (serverPortsBehindAgent). */
  plan: ServerPlan;
  image: string;
}

/** The ports the model server listens on behind the agent: HTTP moves to AGENT_UPSTREAM_PORT. */
export function serverPortsBehindAgent(ports: ResolvedPorts): ResolvedPorts {
  return { ...ports, http: AGENT_UPSTREAM_PORT };
}

/**
 * Why the agent cannot be put in front of this server, if it cannot. The CRD refuses these; checked
 * again for objects stored under an older CRD.
 */
export function agentError(preset: RuntimePresetName, ports: ResolvedPorts, internalPorts: readonly number[]): RenderError | undefined {
  if (preset === 'custom') {
    return renderError('InvalidSpec', 'spec.monitoring.logging', 'needs a runtime preset other than custom: a custom image cannot be told to move to another port behind the logging agent');
  }
  for (const name of PORT_NAMES) {
    const port = ports[name];
    if (port !== undefined && AGENT_PORTS.includes(port)) {
      return renderError('PortConflict', `spec.runtime.ports.${name}`, `port ${port} is taken by the logging agent (spec.monitoring.logging); choose another`);
    }
  }
  const internal = internalPorts.find((p) => AGENT_PORTS.includes(p));
  if (internal !== undefined) return renderError('PortConflict', 'spec.monitoring.logging', `the runtime preset uses port ${internal}, which the logging agent needs`);
  return undefined;
}

/** The log Secret: logging's own, else the model's, unless that one is an image pull secret (oci://). */
export function loggingSecret(logging: LoggingSpec, model: ModelSpec): string | undefined {
  if (logging.credentials !== undefined) return logging.credentials.secretRef.name;
  return model.uri.startsWith('oci://') ? undefined : model.credentials?.secretRef.name;
}

/** Kubernetes expands $(VAR) in args and reduces $$ to $: doubling every $ keeps a value literal. */
function literal(value: string): string {
  return value.replaceAll('$', '$$$$');
}

function agentArgs(input: AgentInput): string[] {
  const { logging, plan } = input;
  const metrics = plan.metrics;
  const upstreamMetricsPort = metrics !== undefined ? serverPortsBehindAgent(input.ports)[metrics.port] : undefined;
  return [
    'agent',
    `--port=${input.ports.http}`,
    `--upstream=http://127.0.0.1:${AGENT_UPSTREAM_PORT}`,
    `--metrics-port=${AGENT_METRICS_PORT}`,
    ...(metrics !== undefined && upstreamMetricsPort !== undefined
      ? [`--upstream-metrics=http://127.0.0.1:${upstreamMetricsPort}${metrics.path}`]
      : []),
    `--namespace=$(${POD_NAMESPACE_ENV})`,
    `--model=${input.modelDeploymentName}`,
    `--version=${literal(input.model.version)}`,
    `--variant=${input.variant}`,
    ...(input.revision !== undefined ? [`--revision=${input.revision}`] : []),
    `--pod=$(${POD_NAME_ENV})`,
    `--log-uri=${literal(logging.uri)}`,
    `--sample-rate=${logging.sampleRate}`,
    ...(logging.redact !== undefined && logging.redact.length > 0 ? [`--redact=${literal(logging.redact.join(','))}`] : []),
    `--flush-interval=${logging.flushInterval}`,
    `--label-lookback=${logging.labelLookback}`,
  ];
}

function agentResources(logging: LoggingSpec): V1ResourceRequirements {
  const r = logging.resources;
  if (r === undefined) return structuredClone(DEFAULT_AGENT_RESOURCES);
  const side = (q: { cpu?: number | string | undefined; memory?: number | string | undefined } | undefined) =>
    q === undefined
      ? undefined
      : {
          ...(q.cpu !== undefined ? { cpu: quantityString(q.cpu) } : {}),
          ...(q.memory !== undefined ? { memory: quantityString(q.memory) } : {}),
        };
  const limits = side(r.limits);
  const requests = side(r.requests);
  return { ...(limits !== undefined ? { limits } : {}), ...(requests !== undefined ? { requests } : {}) };
}

/**
 * Readiness goes through the agent to the server's own readiness endpoint, so a pod takes traffic only
 * when the whole path answers. Liveness is the agent's socket alone: a model still loading must not
 * get the agent restarted (the server's own probes watch the server).
 */
function agentProbes(readiness: ProbeTarget): Pick<V1Container, 'readinessProbe' | 'livenessProbe'> {
  const viaAgent: ProbeTarget = readiness.kind === 'http' ? { kind: 'http', path: readiness.path, port: 'http' } : { kind: 'tcp', port: 'http' };
  const live: V1Probe = livenessProbe({ kind: 'tcp', port: 'http' });
  return { readinessProbe: readinessProbe(viaAgent), livenessProbe: live };
}

export function agentContainer(input: AgentInput): V1Container {
  const secret = loggingSecret(input.logging, input.model);
  const env: V1EnvVar[] = [
    { name: POD_NAME_ENV, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: POD_NAMESPACE_ENV, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'NODE_OPTIONS', value: AGENT_NODE_OPTIONS },
  ];
  // The operator never reads the Secret: the kubelet hands its keys to the agent, as to the fetcher.
  const envFrom: V1EnvFromSource[] = secret !== undefined ? [{ secretRef: { name: secret } }] : [];
  return {
    name: AGENT_CONTAINER,
    image: input.image,
    args: agentArgs(input),
    env,
    ...(envFrom.length > 0 ? { envFrom } : {}),
    ports: [
      { name: 'http', containerPort: input.ports.http, protocol: 'TCP' },
      { name: AGENT_METRICS_PORT_NAME, containerPort: AGENT_METRICS_PORT, protocol: 'TCP' },
    ],
    resources: agentResources(input.logging),
    ...agentProbes(input.plan.readiness),
    // Keeps proxying while Services drop the endpoint, as the server does.
    lifecycle: { preStop: { sleep: { seconds: PRESTOP_DRAIN_SECONDS } } },
    // The agent keeps its buffer in memory and writes nothing to its own file system.
    securityContext: { ...containerSecurityContext(), readOnlyRootFilesystem: true },
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}
