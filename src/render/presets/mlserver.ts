// Seldon MLServer: V2 (Open Inference Protocol) over HTTP and gRPC, Prometheus metrics on its own port.
// Configured through MLSERVER_* variables; the model runtime is chosen from the model format.
import type { ModelFormat } from '../../api/runtime-presets.ts';
import { MODEL_DIR } from './preset.ts';
import type { RuntimePreset } from './preset.ts';

// MLServer inference runtimes per format; `custom` relies on a model-settings.json in the model.
const IMPLEMENTATIONS: Partial<Record<ModelFormat, string>> = {
  sklearn: 'mlserver_sklearn.SKLearnModel',
  xgboost: 'mlserver_xgboost.XGBoostModel',
  lightgbm: 'mlserver_lightgbm.LightGBMModel',
  mlflow: 'mlserver_mlflow.MLflowRuntime',
};

export const mlserverPreset: RuntimePreset = {
  defaultPorts: { http: 8080, grpc: 8081, metrics: 8082 },
  plan: ({ model, ports }) => {
    const env = [
      { name: 'MLSERVER_HTTP_PORT', value: String(ports.http) },
      { name: 'MLSERVER_GRPC_PORT', value: String(ports.grpc ?? 8081) },
      { name: 'MLSERVER_METRICS_PORT', value: String(ports.metrics ?? 8082) },
      { name: 'MLSERVER_MODEL_NAME', value: model.name },
      { name: 'MLSERVER_MODEL_VERSION', value: model.version },
      { name: 'MLSERVER_MODEL_URI', value: MODEL_DIR },
    ];
    const implementation = IMPLEMENTATIONS[model.format];
    if (implementation !== undefined) env.push({ name: 'MLSERVER_MODEL_IMPLEMENTATION', value: implementation });
    return {
      command: ['mlserver', 'start', MODEL_DIR],
      args: [],
      env,
      readiness: { kind: 'http', path: '/v2/health/ready', port: 'http' },
      liveness: { kind: 'http', path: '/v2/health/live', port: 'http' },
      metrics: { port: 'metrics', path: '/metrics' },
    };
  },
};
