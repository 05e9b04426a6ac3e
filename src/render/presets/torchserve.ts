// TorchServe: inference 8080, management 8081, metrics 8082, gRPC inference 7070. The model
// directory is a model store of .mar archives, all loaded at start. TorchServe reads its addresses
// only from config.properties, so the preset renders one.
import { CONFIG_DIR, MODEL_DIR } from './preset.ts';
import type { RuntimePreset } from './preset.ts';

const MANAGEMENT_PORT = 8081;
const GRPC_MANAGEMENT_PORT = 7071;

export const torchservePreset: RuntimePreset = {
  defaultPorts: { http: 8080, grpc: 7070, metrics: 8082 },
  internalPorts: [MANAGEMENT_PORT, GRPC_MANAGEMENT_PORT],
  plan: ({ ports }) => ({
    command: ['torchserve'],
    args: ['--start', '--foreground', '--ts-config', `${CONFIG_DIR}/config.properties`, '--ncs'],
    env: [],
    readiness: { kind: 'http', path: '/ping', port: 'http' },
    liveness: { kind: 'http', path: '/ping', port: 'http' },
    metrics: { port: 'metrics', path: '/metrics' },
    configFiles: {
      // The management API can register arbitrary models: it only listens inside the pod, and
      // model registration through it stays off. Token auth is off because the Service is the
      // access boundary, as for the other presets.
      'config.properties': [
        `inference_address=http://0.0.0.0:${ports.http}`,
        `management_address=http://127.0.0.1:${MANAGEMENT_PORT}`,
        `metrics_address=http://0.0.0.0:${ports.metrics ?? 8082}`,
        `grpc_inference_port=${ports.grpc ?? 7070}`,
        `grpc_management_port=${GRPC_MANAGEMENT_PORT}`,
        'metrics_mode=prometheus',
        `model_store=${MODEL_DIR}`,
        'load_models=all',
        'disable_token_authorization=true',
        'enable_model_api=false',
        '',
      ].join('\n'),
    },
  }),
};
