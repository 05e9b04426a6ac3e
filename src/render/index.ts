// PURE rendering of a ModelDeployment into the objects it owns.
export { renderModelDeployment } from './render-model-deployment.ts';
export type { RenderResult } from './render-model-deployment.ts';
export { defaultRenderConfig } from './config.ts';
export type { RenderConfig } from './config.ts';
export type { RenderError, RenderErrorCode } from './errors.ts';
export { CHILD_KINDS, OPTIONAL_CHILD_KINDS } from './child-kinds.ts';
export type { ChildKind } from './child-kinds.ts';
export type {
  ChildObject,
  ConfigMapObject,
  DeploymentObject,
  HorizontalPodAutoscalerObject,
  PodDisruptionBudgetObject,
  ServiceObject,
} from './child-objects.ts';
export type { HTTPRouteObject } from '../traffic/gateway-api/http-route-object.ts';
export type { VirtualServiceObject } from '../traffic/istio/virtual-service-object.ts';
export type { TraefikServiceObject } from '../traffic/traefik/traefik-service-object.ts';
export { traefikSplitName } from '../traffic/traefik/traefik-service-object.ts';
export { cookieRegex, escapeRegex } from '../traffic/cohort-match.ts';
export { VARIANTS, childName, isDns1123Label, isValidModelDeploymentName, serviceName, serviceUrl, variantName } from './names.ts';
export type { Variant } from './names.ts';
export * from './labels.ts';
export { SERVICE_GRPC_PORT, SERVICE_HTTP_PORT } from './ports.ts';
export { DEFAULT_FETCHER_IMAGE, PRESET_IMAGES, MODEL_DIR, CONFIG_DIR } from './presets/index.ts';
export type { PresetImages } from './presets/index.ts';
export { FETCHER_CONTAINER } from './model-source.ts';
export { SERVER_CONTAINER } from './server-container.ts';
export * from './validation-job.ts';
