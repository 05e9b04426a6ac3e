// A user's own image: its entrypoint, the ports the user names (HTTP 8080 by default), and TCP
// probes, since no health path can be assumed. Metrics are scraped at /metrics when a metrics
// port is set.
import type { RuntimePreset } from './preset.ts';

export const customPreset: RuntimePreset = {
  defaultPorts: { http: 8080 },
  plan: ({ ports }) => ({
    command: [],
    args: [],
    env: [],
    readiness: { kind: 'tcp', port: 'http' },
    liveness: { kind: 'tcp', port: 'http' },
    ...(ports.metrics !== undefined ? { metrics: { port: 'metrics' as const, path: '/metrics' } } : {}),
  }),
};
