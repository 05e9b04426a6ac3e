// Checks render needs before it builds anything. The CRD enforces all of these; they are checked
// again for objects created under an older CRD or handed to render without validation.
import type { ModelDeployment } from '../api/model-deployment.ts';
import { MAX_NAME_LENGTH } from '../api/limits.ts';
import { PRESET_FORMATS, presetServesFormat } from '../api/runtime-presets.ts';
import { renderError } from './errors.ts';
import type { RenderError } from './errors.ts';
import { isValidLabelValue } from './labels.ts';
import { isValidModelDeploymentName } from './names.ts';

export function preflight(md: ModelDeployment): RenderError | undefined {
  const { name } = md.metadata;
  const { model, runtime } = md.spec;
  if (!isValidModelDeploymentName(name)) {
    return renderError(
      'InvalidName',
      'metadata.name',
      `must be at most ${MAX_NAME_LENGTH} characters of lower-case letters, digits and '-', starting with a letter (got ${JSON.stringify(name)})`,
    );
  }
  if (md.spec.mode === 'batch' && md.spec.batch === undefined) {
    return renderError('InvalidSpec', 'spec.batch', 'is required in mode batch: say what to score (input), where to write (output) and when (schedule)');
  }
  if (!presetServesFormat(runtime.preset, model.format)) {
    return renderError(
      'UnsupportedFormat',
      'spec.model.format',
      `model format ${model.format} cannot be served by runtime preset ${runtime.preset}; it serves: ${PRESET_FORMATS[runtime.preset].join(', ')}`,
    );
  }
  if (runtime.preset === 'custom' && runtime.image === undefined) {
    return renderError('MissingImage', 'spec.runtime.image', 'an image is required when preset is custom');
  }
  for (const [field, value] of [
    ['spec.model.name', model.name],
    ['spec.model.version', model.version],
  ] as const) {
    if (!isValidLabelValue(value)) {
      return renderError(
        'InvalidLabelValue',
        field,
        `must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (got ${JSON.stringify(value)})`,
      );
    }
  }
  return undefined;
}
