// Readiness, liveness and startup probes. The startup probe gives a server up to ten minutes to
// load its model before liveness may restart it; readiness keeps traffic away until it answers.
import type { V1Probe } from '@kubernetes/client-node';

/** A probe target by container port name: a preset's ProbeTarget, or one renamed (server-container.ts). */
export type NamedProbeTarget = { kind: 'http'; path: string; port: string } | { kind: 'tcp'; port: string };

function handler(target: NamedProbeTarget): Pick<V1Probe, 'httpGet' | 'tcpSocket'> {
  return target.kind === 'http'
    ? { httpGet: { path: target.path, port: target.port, scheme: 'HTTP' } }
    : { tcpSocket: { port: target.port } };
}

export function readinessProbe(target: NamedProbeTarget): V1Probe {
  return { ...handler(target), periodSeconds: 5, timeoutSeconds: 2, successThreshold: 1, failureThreshold: 3 };
}

export function livenessProbe(target: NamedProbeTarget): V1Probe {
  return { ...handler(target), periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 3 };
}

export function startupProbe(target: NamedProbeTarget): V1Probe {
  return { ...handler(target), periodSeconds: 10, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 60 };
}
