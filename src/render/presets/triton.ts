// NVIDIA Triton Inference Server: HTTP 8000, gRPC 8001, metrics 8002. The model directory is a
// Triton model repository (<model>/config.pbtxt, <model>/1/model.onnx ...).
import { MODEL_DIR } from './preset.ts';
import type { RuntimePreset } from './preset.ts';

export const tritonPreset: RuntimePreset = {
  defaultPorts: { http: 8000, grpc: 8001, metrics: 8002 },
  plan: ({ ports }) => ({
    command: ['tritonserver'],
    args: [
      `--model-repository=${MODEL_DIR}`,
      `--http-port=${ports.http}`,
      `--grpc-port=${ports.grpc ?? 8001}`,
      `--metrics-port=${ports.metrics ?? 8002}`,
    ],
    env: [],
    readiness: { kind: 'http', path: '/v2/health/ready', port: 'http' },
    liveness: { kind: 'http', path: '/v2/health/live', port: 'http' },
    metrics: { port: 'metrics', path: '/metrics' },
  }),
};
