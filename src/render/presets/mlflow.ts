// MLflow's scoring server (`mlflow models serve`): /invocations, /ping and /health on one HTTP
// port; it has neither gRPC nor Prometheus metrics. The image already holds the model's flavor
// dependencies, so no environment is built at start (--env-manager local).
import { MODEL_DIR } from './preset.ts';
import type { RuntimePreset } from './preset.ts';

export const mlflowPreset: RuntimePreset = {
  defaultPorts: { http: 8080 },
  plan: ({ ports }) => ({
    command: ['mlflow', 'models', 'serve'],
    args: ['--model-uri', MODEL_DIR, '--host', '0.0.0.0', '--port', String(ports.http), '--env-manager', 'local'],
    env: [],
    readiness: { kind: 'http', path: '/ping', port: 'http' },
    liveness: { kind: 'http', path: '/health', port: 'http' },
  }),
};
