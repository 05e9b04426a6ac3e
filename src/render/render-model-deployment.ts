// PURE: a ModelDeployment and the render configuration in, the objects it should own out, in
// apply order. No clock, no randomness, no I/O: the same input gives the same objects, which
// serialize to the same bytes. ownerReferences are left to the controller, which knows the uid.
import type { ModelDeployment } from '../api/model-deployment.ts';
import type { ChildObject } from './child-objects.ts';
import { defaultRenderConfig } from './config.ts';
import type { RenderConfig } from './config.ts';
import type { RenderError } from './errors.ts';
import { commonLabels, serviceSelector, variantLabels, variantSelector } from './labels.ts';
import { modelSource } from './model-source.ts';
import { serviceName, variantName } from './names.ts';
import type { Variant } from './names.ts';
import { podTemplate } from './pod-template.ts';
import { resolvePorts } from './ports.ts';
import { preflight } from './preflight.ts';
import { PRESETS } from './presets/index.ts';
import { stableService } from './service.ts';
import { configMap, deployment, horizontalPodAutoscaler, podDisruptionBudget } from './workload.ts';
import type { WorkloadMeta } from './workload.ts';

export type RenderResult = { ok: true; objects: ChildObject[] } | { ok: false; error: RenderError };

function isError<T extends object>(value: T | RenderError): value is RenderError {
  return 'code' in value && 'field' in value && 'message' in value;
}

/** Whether the variant may run more than one pod, so that a disruption budget means something. */
function mayRunSeveralPods(md: ModelDeployment): boolean {
  const a = md.spec.autoscaling;
  return a !== undefined ? a.maxReplicas > 1 : md.spec.replicas > 1;
}

export function renderModelDeployment(md: ModelDeployment, config: RenderConfig = defaultRenderConfig): RenderResult {
  const invalid = preflight(md);
  if (invalid !== undefined) return { ok: false, error: invalid };
  const { spec } = md;
  const { name, namespace } = md.metadata;
  const source = modelSource(spec.model.uri);
  if (isError(source)) return { ok: false, error: source };
  const ports = resolvePorts(spec.runtime.preset, spec.runtime.ports);
  if (isError(ports)) return { ok: false, error: ports };

  const preset = spec.runtime.preset;
  const plan = PRESETS[preset].plan({ model: spec.model, ports });
  // preflight guarantees an image for custom.
  const image = spec.runtime.image ?? (preset === 'custom' ? '' : config.presetImages[preset]);
  const variant: Variant = 'stable';
  const meta: WorkloadMeta = {
    name: variantName(name, variant),
    namespace,
    labels: variantLabels(md, variant),
    selector: variantSelector(name, variant),
  };
  const files = plan.configFiles ?? {};
  const hasFiles = Object.keys(files).length > 0;

  const objects: ChildObject[] = [];
  if (hasFiles) objects.push(configMap(meta, files));
  const template = podTemplate({
    md,
    labels: meta.labels,
    image,
    plan,
    ports,
    source,
    configMapName: hasFiles ? meta.name : undefined,
    config,
  });
  objects.push(deployment(meta, spec.autoscaling === undefined ? spec.replicas : undefined, template));
  objects.push(stableService(serviceName(name), namespace, commonLabels(md), serviceSelector(name), ports));
  if (spec.autoscaling !== undefined) objects.push(horizontalPodAutoscaler(meta, spec.autoscaling));
  if (mayRunSeveralPods(md)) objects.push(podDisruptionBudget(meta));
  // A deep copy: no object shares structure with the input or with another object, so callers
  // may add ownerReferences or annotations without side effects.
  return { ok: true, objects: structuredClone(objects) };
}
