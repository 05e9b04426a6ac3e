// Every image the renderer uses, pinned, in one place. Bump deliberately: a new tag changes every
// Deployment and so rolls every model server.
import type { RuntimePresetName } from '../../api/runtime-presets.ts';

export type PresetImages = Readonly<Record<Exclude<RuntimePresetName, 'custom'>, string>>;

export const PRESET_IMAGES: PresetImages = {
  mlserver: 'docker.io/seldonio/mlserver:1.7.1',
  'tensorflow-serving': 'docker.io/tensorflow/serving:2.18.0',
  triton: 'nvcr.io/nvidia/tritonserver:25.01-py3',
  torchserve: 'docker.io/pytorch/torchserve:0.12.0-cpu',
  mlflow: 'ghcr.io/mlflow/mlflow:v2.22.0',
};

/**
 * modelship's own image, the operator's release (package.json's version, the chart's appVersion): its
 * `fetch` subcommand fetches s3:// and https:// models (src/fetcher).
 */
export const DEFAULT_FETCHER_IMAGE = 'ghcr.io/modelship/modelship:0.1.0';

/** Node and the entry script in modelship's image, as its ENTRYPOINT names them (test/unit/dockerfile.test.ts checks). */
export const MODELSHIP_IMAGE_NODE = '/nodejs/bin/node';
export const MODELSHIP_IMAGE_SCRIPT = 'src/main.ts';

/**
 * KServe's storage-initializer (`<uri> <destination>`, credentials from env): still fetches gs:// models
 * when the default fetcher is in use, since modelship's own reads s3:// and https:// only.
 */
export const GS_FETCHER_IMAGE = 'docker.io/kserve/storage-initializer:v0.15.2';
