// Pod discovery for the test Prometheus. Debian's `prometheus` package is built without kubernetes_sd_configs
// (client-go is not packaged in Debian; its binary has file, http, dns and a few cloud discoveries only), so
// the harness discovers pods itself and hands them to Prometheus through file_sd_configs, with exactly the
// target groups and __meta_kubernetes_* labels that kubernetes_sd_configs role `pod` makes (Prometheus
// discovery/kubernetes/pod.go). The relabelling users configure (prometheus.ts, scrapeConfig) then runs
// unchanged in a real Prometheus; only the discovery underneath is the harness's.
import { renameSync, writeFileSync } from 'node:fs';
import { CoreV1Api, KubeConfig, makeInformer, type V1Container, type V1Pod } from '@kubernetes/client-node';

/** One file_sd target group: what kubernetes_sd emits per container port. */
export interface TargetGroup {
  readonly targets: string[];
  readonly labels: Record<string, string>;
}

const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_');
const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

function podLabels(pod: V1Pod): Record<string, string> {
  const m = pod.metadata;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const controller = m?.ownerReferences?.find((o) => o.controller);
  const labels: Record<string, string> = {
    __meta_kubernetes_namespace: m?.namespace ?? '',
    __meta_kubernetes_pod_name: m?.name ?? '',
    __meta_kubernetes_pod_ip: pod.status?.podIP ?? '',
    __meta_kubernetes_pod_ready: ready === 'True' ? 'true' : ready === 'False' ? 'false' : 'unknown',
    __meta_kubernetes_pod_phase: pod.status?.phase ?? '',
    __meta_kubernetes_pod_node_name: pod.spec?.nodeName ?? '',
    __meta_kubernetes_pod_host_ip: pod.status?.hostIP ?? '',
    __meta_kubernetes_pod_uid: m?.uid ?? '',
  };
  if (controller) {
    labels.__meta_kubernetes_pod_controller_kind = controller.kind;
    labels.__meta_kubernetes_pod_controller_name = controller.name;
  }
  for (const [k, v] of Object.entries(m?.labels ?? {})) {
    labels[`__meta_kubernetes_pod_label_${sanitize(k)}`] = v;
    labels[`__meta_kubernetes_pod_labelpresent_${sanitize(k)}`] = 'true';
  }
  for (const [k, v] of Object.entries(m?.annotations ?? {})) {
    labels[`__meta_kubernetes_pod_annotation_${sanitize(k)}`] = v;
    labels[`__meta_kubernetes_pod_annotationpresent_${sanitize(k)}`] = 'true';
  }
  return labels;
}

/** kubernetes_sd role `pod`: one target per container port (one per port-less container); pods without an IP give none. */
export function podTargetGroups(pods: readonly V1Pod[]): TargetGroup[] {
  const groups: TargetGroup[] = [];
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip) continue;
    const common = podLabels(pod);
    const containers: [V1Container, boolean][] = [...(pod.spec?.containers ?? []).map((c): [V1Container, boolean] => [c, false]), ...(pod.spec?.initContainers ?? []).map((c): [V1Container, boolean] => [c, true])];
    for (const [c, init] of containers) {
      const container = {
        __meta_kubernetes_pod_container_name: c.name,
        __meta_kubernetes_pod_container_image: c.image ?? '',
        __meta_kubernetes_pod_container_init: String(init),
      };
      if (!c.ports?.length) {
        groups.push({ targets: [ip], labels: { ...common, ...container } });
        continue;
      }
      for (const p of c.ports) {
        groups.push({
          targets: [hostPort(ip, p.containerPort)],
          labels: {
            ...common,
            ...container,
            __meta_kubernetes_pod_container_port_name: p.name ?? '',
            __meta_kubernetes_pod_container_port_number: String(p.containerPort),
            __meta_kubernetes_pod_container_port_protocol: p.protocol ?? 'TCP',
          },
        });
      }
    }
  }
  return groups;
}

export interface PodDiscovery {
  stop(): Promise<void>;
}

/** Watches every pod and keeps `file` (JSON, for file_sd_configs) equal to podTargetGroups of them. */
export async function startPodDiscovery(options: { kubeconfig: string; file: string }): Promise<PodDiscovery> {
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<V1Pod>(kc, '/api/v1/pods', () => core.listPodForAllNamespaces());
  let written = '';
  let stopped = false;
  const write = () => {
    if (stopped) return;
    const text = JSON.stringify(podTargetGroups(informer.list()), null, 1);
    if (text === written) return;
    // Written whole then renamed: Prometheus never reads half a file.
    writeFileSync(`${options.file}.tmp`, text);
    renameSync(`${options.file}.tmp`, options.file);
    written = text;
  };
  for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, write);
  informer.on('error', () => {
    if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 1000);
  });
  await informer.start();
  write();
  // A periodic pass catches what an event missed (an informer restarting after an error).
  const ticker = setInterval(write, 5000);
  ticker.unref();
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(ticker);
      await informer.stop().catch(() => undefined);
    },
  };
}
