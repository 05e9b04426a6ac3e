// How the model reaches the server: fetched by an init container into a shared emptyDir
// (s3, gs, https), copied out of a model image (oci), or mounted read-only from a claim (pvc).
import type { V1Container, V1LocalObjectReference, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { ModelSpec } from '../api/model-spec.ts';
import type { RenderConfig } from './config.ts';
import { renderError } from './errors.ts';
import type { RenderError } from './errors.ts';
import { DEFAULT_FETCHER_IMAGE, GS_FETCHER_IMAGE } from './presets/images.ts';
import { MODEL_DIR } from './presets/preset.ts';
import { containerSecurityContext } from './security.ts';

export const MODEL_VOLUME = 'model';
export const FETCHER_CONTAINER = 'model-fetcher';

/** The fetcher's terminationMessagePath (the kubelet's default, set explicitly): its last line goes there. */
export const FETCHER_TERMINATION_LOG = '/dev/termination-log';

/** Where a model image (oci://) keeps its files, as in KServe's modelcars. */
export const OCI_MODEL_DIR = '/models';

export type ModelSource =
  | { kind: 'fetch'; uri: string }
  | { kind: 'pvc'; claim: string; subPath: string }
  | { kind: 'oci'; image: string };

export interface ModelWiring {
  volume: V1Volume;
  initContainers: V1Container[];
  serverMount: V1VolumeMount;
  imagePullSecrets: V1LocalObjectReference[];
}

export function modelSource(uri: string): ModelSource | RenderError {
  if (uri.startsWith('pvc://')) {
    const [claim = '', ...rest] = uri.slice('pvc://'.length).split('/');
    const segments = rest.filter((s) => s !== '');
    if (segments.includes('..') || segments.includes('.')) {
      return renderError('InvalidModelUri', 'spec.model.uri', `the path inside the claim must not contain '.' or '..' (got ${uri})`);
    }
    return { kind: 'pvc', claim, subPath: segments.join('/') };
  }
  if (uri.startsWith('oci://')) return { kind: 'oci', image: uri.slice('oci://'.length) };
  // The operator renders a models:/ URI's resolved source (src/registry); one left unresolved never reaches the fetcher.
  if (uri.startsWith('models:/')) {
    return renderError('InvalidModelUri', 'spec.model.uri', `${uri} names a model in a registry: only the operator resolves it (status.model), so it cannot be rendered without one`);
  }
  return { kind: 'fetch', uri };
}

/**
 * The fetcher's image and arguments. The default is modelship's own image, run as `fetch <uri> <dest>`
 * (gs:// goes to KServe's storage-initializer, which reads it); an image set with --fetcher-image gets
 * `<uri> <dest>`, the storage-initializer's contract, for every URI.
 */
export function fetcherCommand(uri: string, config: RenderConfig, sha256?: string): Pick<V1Container, 'image' | 'args'> {
  if (config.fetcherImage !== DEFAULT_FETCHER_IMAGE) return { image: config.fetcherImage, args: [uri, MODEL_DIR] };
  if (uri.startsWith('gs://')) return { image: GS_FETCHER_IMAGE, args: [uri, MODEL_DIR] };
  return {
    image: DEFAULT_FETCHER_IMAGE,
    args: ['fetch', '--termination-log', FETCHER_TERMINATION_LOG, ...(sha256 !== undefined ? ['--sha256', sha256] : []), uri, MODEL_DIR],
  };
}

/** spec.model.sha256 is checked by modelship's own fetcher only: another image would ignore it. */
export function checksumError(model: ModelSpec, config: RenderConfig): RenderError | undefined {
  if (model.sha256 === undefined || config.fetcherImage === DEFAULT_FETCHER_IMAGE) return undefined;
  return renderError('UncheckableChecksum', 'spec.model.sha256', `the fetcher image ${config.fetcherImage} (set by the platform with --fetcher-image) cannot check a sha256; remove it, or ask the platform team for modelship's fetcher`);
}

export function modelWiring(source: ModelSource, model: ModelSpec, config: RenderConfig): ModelWiring {
  const secret = model.credentials?.secretRef.name;
  if (source.kind === 'pvc') {
    return {
      volume: { name: MODEL_VOLUME, persistentVolumeClaim: { claimName: source.claim, readOnly: true } },
      initContainers: [],
      serverMount: {
        name: MODEL_VOLUME,
        mountPath: MODEL_DIR,
        readOnly: true,
        ...(source.subPath !== '' ? { subPath: source.subPath } : {}),
      },
      imagePullSecrets: [],
    };
  }
  const fetcher: V1Container =
    source.kind === 'fetch'
      ? {
          name: FETCHER_CONTAINER,
          ...fetcherCommand(source.uri, config, model.sha256),
          // The operator never reads the Secret: the kubelet hands its keys to the fetcher.
          ...(secret !== undefined ? { envFrom: [{ secretRef: { name: secret } }] } : {}),
        }
      : {
          name: FETCHER_CONTAINER,
          image: source.image,
          command: ['sh', '-c', `cp -R ${OCI_MODEL_DIR}/. ${MODEL_DIR}/`],
        };
  return {
    volume: { name: MODEL_VOLUME, emptyDir: {} },
    initContainers: [
      {
        ...fetcher,
        resources: config.fetcherResources,
        securityContext: containerSecurityContext(),
        // modelship's fetcher writes its last line to the file; another image's failure leaves the log's
        // tail instead. The kubelet puts either into the terminated state, where the operator reads it.
        terminationMessagePath: FETCHER_TERMINATION_LOG,
        terminationMessagePolicy: 'FallbackToLogsOnError',
        volumeMounts: [{ name: MODEL_VOLUME, mountPath: MODEL_DIR }],
      },
    ],
    serverMount: { name: MODEL_VOLUME, mountPath: MODEL_DIR, readOnly: true },
    // For oci:// the Secret is an image pull secret for the model image.
    imagePullSecrets: source.kind === 'oci' && secret !== undefined ? [{ name: secret }] : [],
  };
}
