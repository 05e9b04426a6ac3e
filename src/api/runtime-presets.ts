// Which model formats and ports each runtime preset supports. The CRD's CEL rules, the zod schema
// and the renderer all read this one table.
//
// | preset             | formats                                   | why                                                        |
// |--------------------|-------------------------------------------|------------------------------------------------------------|
// | mlserver           | sklearn xgboost lightgbm mlflow custom    | MLServer's inference runtimes; custom = model-settings.json |
// | tensorflow-serving | tensorflow                                | serves SavedModels only                                    |
// | triton             | onnx tensorflow pytorch custom            | onnxruntime, tensorflow, pytorch (TorchScript) and python backends |
// | torchserve         | pytorch                                   | serves .mar archives of PyTorch models                     |
// | mlflow             | mlflow                                    | `mlflow models serve` loads MLflow models                  |
// | custom             | every format                              | the user's own image knows what it serves                  |

export const MODEL_FORMATS = [
  'sklearn',
  'xgboost',
  'lightgbm',
  'onnx',
  'tensorflow',
  'pytorch',
  'mlflow',
  'custom',
] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

export const RUNTIME_PRESETS = ['mlserver', 'tensorflow-serving', 'triton', 'torchserve', 'mlflow', 'custom'] as const;
export type RuntimePresetName = (typeof RUNTIME_PRESETS)[number];

export const PORT_NAMES = ['http', 'grpc', 'metrics'] as const;
export type PortName = (typeof PORT_NAMES)[number];

export const PRESET_FORMATS: Readonly<Record<RuntimePresetName, readonly ModelFormat[]>> = {
  mlserver: ['sklearn', 'xgboost', 'lightgbm', 'mlflow', 'custom'],
  'tensorflow-serving': ['tensorflow'],
  triton: ['onnx', 'tensorflow', 'pytorch', 'custom'],
  torchserve: ['pytorch'],
  mlflow: ['mlflow'],
  custom: MODEL_FORMATS,
};

/**
 * Ports a preset's server can be told to listen on. TensorFlow Serving exposes its metrics on the
 * REST port and MLflow's scoring server has neither gRPC nor metrics.
 */
export const PRESET_PORTS: Readonly<Record<RuntimePresetName, readonly PortName[]>> = {
  mlserver: ['http', 'grpc', 'metrics'],
  'tensorflow-serving': ['http', 'grpc'],
  triton: ['http', 'grpc', 'metrics'],
  torchserve: ['http', 'grpc', 'metrics'],
  mlflow: ['http'],
  custom: ['http', 'grpc', 'metrics'],
};

/** Presets whose server exports no Prometheus metrics: the built-in analysis checks cannot run there. */
export const PRESETS_WITHOUT_METRICS: readonly RuntimePresetName[] = ['mlflow'];

export function presetServesFormat(preset: RuntimePresetName, format: ModelFormat): boolean {
  return PRESET_FORMATS[preset].includes(format);
}

export function presetsWithPort(port: PortName): RuntimePresetName[] {
  return RUNTIME_PRESETS.filter((p) => PRESET_PORTS[p].includes(port));
}
