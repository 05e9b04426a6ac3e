// The runtime presets by name.
import type { RuntimePresetName } from '../../api/runtime-presets.ts';
import { customPreset } from './custom.ts';
import { mlflowPreset } from './mlflow.ts';
import { mlserverPreset } from './mlserver.ts';
import type { RuntimePreset } from './preset.ts';
import { tensorflowServingPreset } from './tensorflow-serving.ts';
import { torchservePreset } from './torchserve.ts';
import { tritonPreset } from './triton.ts';

export const PRESETS: Readonly<Record<RuntimePresetName, RuntimePreset>> = {
  mlserver: mlserverPreset,
  'tensorflow-serving': tensorflowServingPreset,
  triton: tritonPreset,
  torchserve: torchservePreset,
  mlflow: mlflowPreset,
  custom: customPreset,
};

export { CONFIG_DIR, MODEL_DIR } from './preset.ts';
export type { ProbeTarget, ResolvedPorts, RuntimePreset, ServerPlan } from './preset.ts';
export { DEFAULT_FETCHER_IMAGE, PRESET_IMAGES } from './images.ts';
export type { PresetImages } from './images.ts';
