// PURE: a ModelDeployment and the render configuration in, the objects it should own out, in
// apply order. No clock, no randomness, no I/O: the same input gives the same objects, which
// serialize to the same bytes. ownerReferences are left to the controller, which knows the uid.
//
// Without a rollout plan only the stable variant is rendered from the spec (as before rollouts
// existed). With a plan (src/rollout), each variant renders the model and runtime the plan gives it
// (stable may serve a revision from history), with its replica counts, a Service per variant, the
// stable Service and the traffic router of the plan's provider.
import type { ModelDeployment } from '../api/model-deployment.ts';
import type { ModelSpec } from '../api/model-spec.ts';
import { trafficOf } from '../api/rollout-spec.ts';
import type { RuntimeSpec } from '../api/runtime-spec.ts';
import type { RolloutPlan, VariantScale } from '../rollout/types.ts';
import type { ChildObject, HorizontalPodAutoscalerObject, PodDisruptionBudgetObject, ServiceObject } from './child-objects.ts';
import { defaultRenderConfig } from './config.ts';
import type { RenderConfig } from './config.ts';
import type { RenderError } from './errors.ts';
import { commonLabels, serviceSelector, variantLabels, variantSelector } from './labels.ts';
import { checksumError, modelSource } from './model-source.ts';
import { serviceName, variantName } from './names.ts';
import type { Variant } from './names.ts';
import { podTemplate } from './pod-template.ts';
import { resolvePorts } from './ports.ts';
import type { ResolvedPorts } from './presets/preset.ts';
import { preflight } from './preflight.ts';
import { PRESETS } from './presets/index.ts';
import { modelService } from './service.ts';
import { configMap, deployment, horizontalPodAutoscaler, podDisruptionBudget } from './workload.ts';
import { trafficProvider } from '../traffic/registry.ts';
import { agentContainer, agentError, serverPortsBehindAgent } from './agent-container.ts';
import type { WorkloadMeta } from './workload.ts';
import { treeCopy } from '../tree-copy.ts';

export type RenderResult = { ok: true; objects: ChildObject[] } | { ok: false; error: RenderError };

function isError<T extends object>(value: T | RenderError): value is RenderError {
  return 'code' in value && 'field' in value && 'message' in value;
}

interface VariantInput {
  variant: Variant;
  model: ModelSpec;
  runtime: RuntimeSpec;
  /** Labelled on the variant's objects and pods when rendering a plan. */
  revision: number | undefined;
  scale: VariantScale;
}

interface VariantObjects {
  workload: ChildObject[];
  service: ServiceObject | undefined;
  hpa: HorizontalPodAutoscalerObject | undefined;
  pdb: PodDisruptionBudgetObject | undefined;
  ports: ResolvedPorts;
}

/** Whether the variant may run more than one pod, so that a disruption budget means something. */
function mayRunSeveralPods(scale: VariantScale): boolean {
  return 'replicas' in scale ? scale.replicas > 1 : scale.maxReplicas > 1;
}

function renderVariant(md: ModelDeployment, input: VariantInput, config: RenderConfig, withService: boolean): VariantObjects | RenderError {
  // The variant as if the spec asked for its model and runtime: preflight and presets read it so.
  const vmd: ModelDeployment = { ...md, spec: { ...md.spec, model: input.model, runtime: input.runtime } };
  const invalid = preflight(vmd);
  if (invalid !== undefined) return input.model === md.spec.model && input.runtime === md.spec.runtime ? invalid : atVariant(invalid, input);
  const { spec } = vmd;
  const { name, namespace } = md.metadata;
  const source = modelSource(spec.model.uri);
  if (isError(source)) return source;
  const unchecked = checksumError(spec.model, config);
  if (unchecked !== undefined) return unchecked;
  const ports = resolvePorts(spec.runtime.preset, spec.runtime.ports);
  if (isError(ports)) return ports;

  const preset = spec.runtime.preset;
  // With request logging the agent takes the serving port and the server moves behind it.
  const logging = spec.monitoring?.logging;
  if (logging !== undefined) {
    const conflict = agentError(preset, ports, PRESETS[preset].internalPorts ?? []);
    if (conflict !== undefined) return conflict;
  }
  const serverPorts = logging !== undefined ? serverPortsBehindAgent(ports) : ports;
  const plan = PRESETS[preset].plan({ model: spec.model, ports: serverPorts });
  // preflight guarantees an image for custom.
  const image = spec.runtime.image ?? (preset === 'custom' ? '' : config.presetImages[preset]);
  const meta: WorkloadMeta = {
    name: variantName(name, input.variant),
    namespace,
    labels: variantLabels(vmd, input.variant, input.revision),
    selector: variantSelector(name, input.variant),
  };
  const files = plan.configFiles ?? {};
  const hasFiles = Object.keys(files).length > 0;

  const workload: ChildObject[] = [];
  if (hasFiles) workload.push(configMap(meta, files));
  const template = podTemplate({
    md: vmd,
    labels: meta.labels,
    image,
    plan,
    ports: serverPorts,
    source,
    configMapName: hasFiles ? meta.name : undefined,
    config,
    ...(logging !== undefined
      ? {
          agent: agentContainer({
            logging,
            model: spec.model,
            modelDeploymentName: name,
            variant: input.variant,
            revision: input.revision,
            ports,
            plan,
            // modelship's image, as the platform names it for the fetcher and the batch runner.
            image: config.fetcherImage,
          }),
        }
      : {}),
  });
  const { scale } = input;
  // With autoscaling, replicas is left to the HPA; a variant whose share is 0 pods has no HPA.
  const autoscaling = 'replicas' in scale ? undefined : spec.autoscaling;
  const replicas = 'replicas' in scale ? scale.replicas : autoscaling === undefined ? scale.minReplicas : undefined;
  workload.push(deployment(meta, replicas, template));
  return {
    workload,
    service: withService ? modelService(meta.name, namespace, meta.labels, meta.selector, ports) : undefined,
    hpa:
      autoscaling !== undefined && !('replicas' in scale)
        ? horizontalPodAutoscaler(meta, { ...autoscaling, minReplicas: scale.minReplicas, maxReplicas: scale.maxReplicas })
        : undefined,
    pdb: mayRunSeveralPods(scale) ? podDisruptionBudget(meta) : undefined,
    ports,
  };
}

/** A render error of a variant that does not render the spec: say which revision it is. */
function atVariant(error: RenderError, input: VariantInput): RenderError {
  const what = `the ${input.variant} variant (revision ${input.revision ?? '?'}, version ${input.model.version})`;
  return { ...error, message: `${error.message} (in ${what})` };
}

function specScale(md: ModelDeployment): VariantScale {
  const a = md.spec.autoscaling;
  return a === undefined ? { replicas: md.spec.replicas } : { minReplicas: a.minReplicas, maxReplicas: a.maxReplicas };
}

/**
 * A batch ModelDeployment owns no serving objects: each run is a Job the controller creates when the
 * run is due (src/batch). It owns only what those Jobs' pods mount, the preset's ConfigMap, rendered
 * as the realtime pod template names it (one server, no autoscaling), so run pods and realtime pods
 * read the same files. The render of that pod template also checks the spec can be served at all.
 */
function batchChildren(md: ModelDeployment, config: RenderConfig): RenderResult {
  // monitoring.logging is refused in batch mode; dropped here too for objects stored before that rule.
  const realtime = renderModelDeployment(
    { ...md, spec: { ...md.spec, mode: 'realtime', replicas: 1, autoscaling: undefined, rollout: undefined, monitoring: undefined } },
    config,
  );
  if (!realtime.ok) return realtime;
  return { ok: true, objects: realtime.objects.filter((o) => o.kind === 'ConfigMap') };
}

export function renderModelDeployment(
  md: ModelDeployment,
  config: RenderConfig = defaultRenderConfig,
  plan?: RolloutPlan,
): RenderResult {
  const invalid = preflight(md);
  if (invalid !== undefined) return { ok: false, error: invalid };
  if (md.spec.mode === 'batch') return batchChildren(md, config);
  const { name, namespace } = md.metadata;

  const inputs: VariantInput[] =
    plan === undefined
      ? [{ variant: 'stable', model: md.spec.model, runtime: md.spec.runtime, revision: undefined, scale: specScale(md) }]
      : [
          { variant: 'stable', model: plan.stable.model, runtime: plan.stable.runtime, revision: plan.stable.revision, scale: plan.replicas.stable },
          ...(plan.canary !== undefined
            ? [
                {
                  variant: 'canary' as const,
                  model: plan.canary.model,
                  runtime: plan.canary.runtime,
                  revision: plan.canary.revision,
                  scale: plan.replicas.canary ?? { replicas: 0 },
                },
              ]
            : []),
        ];
  const variants: VariantObjects[] = [];
  for (const input of inputs) {
    const rendered = renderVariant(md, input, config, plan !== undefined);
    if (isError(rendered)) return { ok: false, error: rendered };
    variants.push(rendered);
  }

  const objects: ChildObject[] = variants.flatMap((v) => v.workload);
  // The stable Service selects every variant with the replicas provider (pods are the split) and
  // without a plan (there is one variant); with a router it selects stable, the router splits.
  const provider = plan?.provider ?? 'replicas';
  const selector = provider === 'replicas' ? serviceSelector(name) : variantSelector(name, 'stable');
  // Ports of the stable Service: the stable variant's (a canary adding gRPC is reached per variant).
  objects.push(modelService(serviceName(name), namespace, commonLabels(md), selector, variants[0]!.ports));
  for (const v of variants) if (v.service !== undefined) objects.push(v.service);
  for (const v of variants) if (v.hpa !== undefined) objects.push(v.hpa);
  for (const v of variants) if (v.pdb !== undefined) objects.push(v.pdb);

  if (plan !== undefined && provider !== 'replicas') {
    const routers = trafficProvider(provider).render({
      name,
      namespace,
      labels: commonLabels(md),
      traffic: trafficOf(md.spec.rollout),
      // A leaving canary keeps its pods until the router is seen without its Service (src/rollout/detach.ts).
      canary: plan.canary !== undefined && plan.detached !== true,
      weights: plan.weights,
      ...(plan.mirrorPercent !== undefined ? { mirrorPercent: plan.mirrorPercent } : {}),
      ...(plan.cohortMatch !== undefined ? { cohortMatch: plan.cohortMatch } : {}),
      policy: config.traffic,
    });
    if (isError(routers)) return { ok: false, error: routers };
    objects.push(...routers);
  }
  // A deep copy: no object shares structure with the input or with another object, so callers
  // may add ownerReferences or annotations without side effects.
  return { ok: true, objects: treeCopy(objects) };
}
