// TensorFlow Serving: REST on 8501, gRPC on 8500. The model directory holds numbered version
// subdirectories of a SavedModel. Prometheus metrics are switched on by a monitoring config file
// and served on the REST port.
import { CONFIG_DIR, MODEL_DIR } from './preset.ts';
import type { RuntimePreset } from './preset.ts';

const METRICS_PATH = '/monitoring/prometheus/metrics';
const MONITORING_CONFIG = 'monitoring_config.txt';

export const tensorflowServingPreset: RuntimePreset = {
  defaultPorts: { http: 8501, grpc: 8500 },
  plan: ({ model, ports }) => ({
    command: ['tensorflow_model_server'],
    args: [
      `--port=${ports.grpc ?? 8500}`,
      `--rest_api_port=${ports.http}`,
      `--model_name=${model.name}`,
      `--model_base_path=${MODEL_DIR}`,
      `--monitoring_config_file=${CONFIG_DIR}/${MONITORING_CONFIG}`,
    ],
    env: [],
    // The model status endpoint answers once the model is known to the server.
    readiness: { kind: 'http', path: `/v1/models/${model.name}`, port: 'http' },
    liveness: { kind: 'tcp', port: 'http' },
    metrics: { port: 'http', path: METRICS_PATH },
    configFiles: { [MONITORING_CONFIG]: `prometheus_config {\n  enable: true\n  path: "${METRICS_PATH}"\n}\n` },
  }),
};
