// Services of the model server: the stable one, named after the ModelDeployment so its URL never
// changes during a rollout, and one per variant for direct access and as router backends.
import type { V1ServicePort } from '@kubernetes/client-node';
import type { ServiceObject } from './child-objects.ts';
import { objectMeta } from './child-objects.ts';
import { SERVICE_GRPC_PORT, SERVICE_HTTP_PORT } from './ports.ts';
import type { ResolvedPorts } from './presets/preset.ts';

export function modelService(
  name: string,
  namespace: string | undefined,
  labels: Record<string, string>,
  selector: Record<string, string>,
  ports: ResolvedPorts,
): ServiceObject {
  // Target ports by name: every variant names its ports alike, whatever numbers its server uses.
  const servicePorts: V1ServicePort[] = [
    { name: 'http', port: SERVICE_HTTP_PORT, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
  ];
  if (ports.grpc !== undefined) {
    servicePorts.push({
      name: 'grpc',
      port: SERVICE_GRPC_PORT,
      targetPort: 'grpc',
      protocol: 'TCP',
      appProtocol: 'kubernetes.io/h2c',
    });
  }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta(name, namespace, labels),
    spec: { type: 'ClusterIP', selector, ports: servicePorts },
  };
}
