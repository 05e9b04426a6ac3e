// Which request value is which feature: from spec.monitoring.drift.features when given, else by the
// default rules (one input as wide as the reference's feature columns maps in column order; several 1-D
// inputs map by name). A request that fits neither is an error telling to set the features. Pure.
import type { FeatureSpec } from './feature-spec.ts';
import type { RequestInput } from './request-inputs.ts';

export interface FeatureSource {
  readonly feature: string;
  readonly input: string;
  /** Position in the input's row (0 for a 1-D input). */
  readonly index: number;
}

export type Mapping = readonly FeatureSource[];

const SET_FEATURES = 'set spec.monitoring.drift.features';

function describe(inputs: readonly RequestInput[]): string {
  return inputs.map((x) => `'${x.name}' (${x.oneD ? '1-D' : `${x.width} values a row`})`).join(', ');
}

function fromSpecs(inputs: readonly RequestInput[], specs: readonly FeatureSpec[]): Mapping | string {
  const out: FeatureSource[] = [];
  for (const spec of specs) {
    let input: RequestInput | undefined;
    if (spec.input === undefined) {
      if (inputs.length !== 1) return `feature '${spec.name}' names no input and the request has ${inputs.length}: ${describe(inputs)}; set its input in spec.monitoring.drift.features`;
      input = inputs[0];
    } else {
      input = inputs.find((x) => x.name === spec.input);
      if (input === undefined) return `feature '${spec.name}' reads input '${spec.input}', which the request does not have (it has ${describe(inputs)})`;
    }
    if (spec.index === undefined) {
      if (!input!.oneD) return `feature '${spec.name}' has no index but input '${input!.name}' has ${input!.width} values a row; set its index in spec.monitoring.drift.features`;
      out.push({ feature: spec.name, input: input!.name, index: 0 });
    } else {
      if (spec.index >= input!.width) return `feature '${spec.name}' reads index ${spec.index} of input '${input!.name}', which has ${input!.width} values a row`;
      out.push({ feature: spec.name, input: input!.name, index: spec.index });
    }
  }
  return out;
}

/** The mapping for requests shaped like `inputs`, or a message saying why there is none. */
export function resolveMapping(inputs: readonly RequestInput[], features: readonly string[], specs?: readonly FeatureSpec[]): Mapping | string {
  if (specs !== undefined) return fromSpecs(inputs, specs);
  if (inputs.length === 1 && inputs[0]!.width === features.length) return features.map((feature, index) => ({ feature, input: inputs[0]!.name, index }));
  if (inputs.every((x) => x.oneD) && features.every((f) => inputs.some((x) => x.name === f))) return features.map((feature) => ({ feature, input: feature, index: 0 }));
  const shown = features.length <= 8 ? features.join(', ') : `${features.slice(0, 8).join(', ')}, ...`;
  return `the requests' inputs ${describe(inputs)} do not map to the reference's ${features.length} feature columns (${shown}): ${SET_FEATURES}`;
}

/** A signature of the request's shape, so a mapping is resolved once per shape. */
export function shapeKey(inputs: readonly RequestInput[]): string {
  return JSON.stringify(inputs.map((x) => [x.name, x.width, x.oneD]));
}
