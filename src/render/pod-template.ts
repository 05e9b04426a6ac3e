// The pod template of one variant: model wiring, server container, restricted security. Nothing
// in it depends on time or chance, so it changes only when the spec does.
import type { V1Container, V1PodTemplateSpec, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { AGENT_METRICS_PORT } from '../api/logging-spec.ts';
import { AGENT_METRICS_PATH, SERVER_HTTP_PORT_NAME } from './agent-container.ts';
import type { ModelDeployment } from '../api/model-deployment.ts';
import type { RenderConfig } from './config.ts';
import type { ModelSource } from './model-source.ts';
import { modelWiring } from './model-source.ts';
import { CONFIG_DIR } from './presets/preset.ts';
import type { ResolvedPorts, ServerPlan } from './presets/preset.ts';
import { podPlacement } from './pod-placement.ts';
import { podSecurityContext } from './security.ts';
import { SERVER_CONTAINER, serverContainer } from './server-container.ts';

export const CONFIG_VOLUME = 'runtime-config';

export interface PodTemplateInput {
  md: ModelDeployment;
  labels: Record<string, string>;
  image: string;
  plan: ServerPlan;
  /** The ports the model server listens on (behind the agent, its HTTP port is the agent's upstream). */
  ports: ResolvedPorts;
  source: ModelSource;
  /** The ConfigMap holding plan.configFiles, when there are any. */
  configMapName: string | undefined;
  config: RenderConfig;
  /** The logging agent in front of the server (spec.monitoring.logging), which takes the `http` port name. */
  agent?: V1Container;
}

function annotations(plan: ServerPlan, ports: ResolvedPorts, agent: boolean): Record<string, string> {
  const out: Record<string, string> = { 'kubectl.kubernetes.io/default-container': SERVER_CONTAINER };
  if (agent) {
    // The agent serves its own metrics and then the server's: one target for both.
    out['prometheus.io/scrape'] = 'true';
    out['prometheus.io/port'] = String(AGENT_METRICS_PORT);
    out['prometheus.io/path'] = AGENT_METRICS_PATH;
    return out;
  }
  const port = plan.metrics !== undefined ? ports[plan.metrics.port] : undefined;
  if (plan.metrics !== undefined && port !== undefined) {
    // The prometheus.io annotations most scrape configurations discover pods by.
    out['prometheus.io/scrape'] = 'true';
    out['prometheus.io/port'] = String(port);
    out['prometheus.io/path'] = plan.metrics.path;
  }
  return out;
}

export function podTemplate(input: PodTemplateInput): V1PodTemplateSpec {
  const { md, plan } = input;
  const runtime = md.spec.runtime;
  const wiring = modelWiring(input.source, md.spec.model, input.config);
  const volumes: V1Volume[] = [wiring.volume];
  const mounts: V1VolumeMount[] = [wiring.serverMount];
  if (input.configMapName !== undefined) {
    volumes.push({ name: CONFIG_VOLUME, configMap: { name: input.configMapName } });
    mounts.push({ name: CONFIG_VOLUME, mountPath: CONFIG_DIR, readOnly: true });
  }
  return {
    metadata: { labels: input.labels, annotations: annotations(plan, input.ports, input.agent !== undefined) },
    spec: {
      ...(runtime.serviceAccountName !== undefined
        ? { serviceAccountName: runtime.serviceAccountName }
        : { automountServiceAccountToken: false }),
      // Service links would inject variables such as MLSERVER_PORT into the server, which MLServer
      // and TorchServe read as their own settings.
      enableServiceLinks: false,
      securityContext: podSecurityContext(),
      ...(wiring.imagePullSecrets.length > 0 ? { imagePullSecrets: wiring.imagePullSecrets } : {}),
      ...(wiring.initContainers.length > 0 ? { initContainers: wiring.initContainers } : {}),
      containers: [
        serverContainer({
          runtime,
          image: input.image,
          plan,
          ports: input.ports,
          volumeMounts: mounts,
          ...(input.agent !== undefined ? { httpPortName: SERVER_HTTP_PORT_NAME } : {}),
        }),
        ...(input.agent !== undefined ? [input.agent] : []),
      ],
      ...podPlacement(runtime),
      volumes,
    },
  };
}
