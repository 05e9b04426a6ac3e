// The pure half of the process runtime (process-kubelet.ts): what a pod's container becomes as a local
// process. No I/O here: the kubelet side reads claims, ConfigMaps and Secrets and passes them in.
//
// Decisions:
// - Images are not pulled or unpacked. An image-to-command map names, per image repository (any tag), the
//   image's ENTRYPOINT and CMD, the executables its commands may name (mapped to host programs: the cached
//   Python environment's `mlserver`, this repository's `node src/main.ts`), folders of the image mapped to
//   host folders (modelship's /app is this checkout), and variables that bind its servers to the pod's IP.
//   Any other image, or an executable the map does not name, fails the container with ImageNotRunnable.
// - Volumes are folders: emptyDir, ConfigMap and Secret volumes are sub-folders of the pod's folder
//   (ConfigMap and Secret keys written as files), hostPath is the host path itself, and a claim is its bound
//   PersistentVolume's hostPath. subPath selects a sub-folder.
// - Mount paths are not mounted: they are rewritten. Every mount path in the command, the arguments and the
//   environment's values (at a path boundary, the longest first) is replaced by its host folder, and so are
//   the image's mapped folders; the working directory is mapped the same way. Bind mounts at the real paths
//   in a mount namespace per container were considered (the tests run as root): without an image's root file
//   system to mount onto, every mount point (/mnt/models, /etc/modelship, ...) would first have to be made
//   in the host's own file system and left there, and a program that reads a path it was not given
//   (MLServer reads only what its settings name) is the only case rewriting misses.
// - The termination-message file (terminationMessagePath, /dev/termination-log by default) is a file of the
//   pod's folder per container run, mapped like a mount: a program that is given the path (modelship's
//   fetcher: --termination-log /dev/termination-log) writes there, and the kubelet side reads it after exit.
// - Every pod shares the pod network's namespace (pod-network.ts), so a server must bind its pod's IP, not
//   0.0.0.0: the image map's `bindEnv` sets the server's own bind setting (MLServer's MLSERVER_HOST).
//   For the same reason a pod's loopback is not its own: a URL to 127.0.0.1 or localhost in the arguments or
//   the environment (modelship's batch runner calls its sidecar at http://127.0.0.1:<port>) is rewritten to
//   the pod's IP, where its containers' servers listen.
import type { V1Container, V1EnvVar, V1Pod, V1Volume } from '@kubernetes/client-node';
import { imageEntrypoint } from './image-entrypoint.ts';

/** The label and NoSchedule taint (key and value) of the process runtime's node (process-kubelet.ts). */
export const PROCESS_NODE_LABEL = 'modelship.io/test-runtime';
export const PROCESS_NODE_VALUE = 'process';
/** The process runtime's node names start with this; the pod simulator leaves their pods alone. */
export const PROCESS_NODE_PREFIX = 'process-node-';

/** The waiting reason of a container whose image this runtime cannot run (kubelets say ErrImagePull). */
export const IMAGE_NOT_RUNNABLE = 'ImageNotRunnable';
/** The waiting reason of a container whose volumes, environment or command cannot be prepared. */
export const CONFIG_ERROR = 'CreateContainerConfigError';

export interface ImageRule {
  /** Image repositories this rule runs, without tag or digest (docker.io/ optional for Docker Hub names). */
  readonly repositories: readonly string[];
  /** The image's ENTRYPOINT. */
  readonly entrypoint: readonly string[];
  /** The image's CMD. */
  readonly cmd: readonly string[];
  /** Executable names or image paths -> host programs. */
  readonly executables: Readonly<Record<string, string>>;
  /** Image folders -> host folders (e.g. the image's /app -> this checkout). */
  readonly paths?: Readonly<Record<string, string>>;
  /** The image's WORKDIR (before path mapping); default the pod's folder. */
  readonly workingDir?: string;
  /** The image's own environment (before the container's). */
  readonly env?: Readonly<Record<string, string>>;
  /** Variables that make the image's servers bind the pod's IP (they win over the container's). */
  readonly bindEnv?: (podIP: string) => Readonly<Record<string, string>>;
}

export interface ImageMapInput {
  /** The cached Python environment's bin folder (python-env.ts). */
  readonly mlserverBin: string;
  /** This repository's root (modelship's image runs `node src/main.ts` from it). */
  readonly repoDir: string;
  /** The Node.js binary to run modelship with. */
  readonly node: string;
}

/** The images the runtime can run: MLServer (the `mlserver` preset's image) and modelship's own. */
export function defaultImageRules(input: ImageMapInput): ImageRule[] {
  const python = `${input.mlserverBin}/python`;
  return [
    {
      // seldonio/mlserver: CMD `mlserver start $MLSERVER_MODELS_DIR` with MLSERVER_MODELS_DIR=/mnt/models.
      repositories: ['docker.io/seldonio/mlserver'],
      entrypoint: [],
      cmd: ['mlserver', 'start', '/mnt/models'],
      executables: { mlserver: `${input.mlserverBin}/mlserver`, python, python3: python },
      env: { MLSERVER_MODELS_DIR: '/mnt/models' },
      bindEnv: (podIP) => ({ MLSERVER_HOST: podIP }),
    },
    {
      // The Dockerfile: WORKDIR /app and its ENTRYPOINT (node, the flags of the model pods' programs, src/main.ts).
      repositories: ['ghcr.io/modelship/modelship'],
      entrypoint: imageEntrypoint(),
      cmd: [],
      executables: { '/nodejs/bin/node': input.node, node: input.node },
      paths: { '/app': input.repoDir },
      workingDir: '/app',
      // The inference agent's servers (src/agent/args.ts).
      bindEnv: (podIP) => ({ MODELSHIP_AGENT_HOST: podIP }),
    },
  ];
}

/** The repository of an image reference: no tag, no digest, Docker Hub names with docker.io/ (library/ too). */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const repo = colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
  const first = repo.split('/')[0] ?? '';
  const hasRegistry = repo.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return repo;
  return repo.includes('/') ? `docker.io/${repo}` : `docker.io/library/${repo}`;
}

export function findImageRule(rules: readonly ImageRule[], image: string): ImageRule | undefined {
  const repo = imageRepository(image);
  return rules.find((r) => r.repositories.some((x) => imageRepository(x) === repo));
}

/** A volume as a folder: what the kubelet side must make before containers start. */
export type VolumeFolder =
  | { readonly name: string; readonly kind: 'dir'; readonly hostPath: string; readonly create: boolean }
  | { readonly name: string; readonly kind: 'files'; readonly hostPath: string; readonly files: Readonly<Record<string, string>> };

export interface PodObjects {
  /** Claim name -> host folder of its bound PersistentVolume (hostPath), when bound. */
  readonly claims: Readonly<Record<string, string>>;
  readonly configMaps: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Secret data, decoded. */
  readonly secrets: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export type Planned<T> = { ok: true; value: T } | { ok: false; reason: string; message: string };

const fail = <T>(reason: string, message: string): Planned<T> => ({ ok: false, reason, message });

function projected(name: string, data: Readonly<Record<string, string>> | undefined, items: readonly { key: string; path: string }[] | undefined, optional: boolean, what: string): Planned<Record<string, string>> {
  if (data === undefined) return optional ? { ok: true, value: {} } : fail(CONFIG_ERROR, `${what} "${name}" not found`);
  if (items === undefined) return { ok: true, value: { ...data } };
  const files: Record<string, string> = {};
  for (const item of items) {
    const value = data[item.key];
    if (value === undefined) {
      if (optional) continue;
      return fail(CONFIG_ERROR, `${what} "${name}" has no key "${item.key}"`);
    }
    files[item.path] = value;
  }
  return { ok: true, value: files };
}

/** Each volume of the pod as a folder under podDir/volumes, or the host folder it stands for. */
function downwardFiles(items: readonly { path: string; fieldRef?: { fieldPath: string } }[], pod: V1Pod): Planned<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const item of items) {
    const value = item.fieldRef ? fieldValue(pod, item.fieldRef.fieldPath) : undefined;
    if (value === undefined) return fail(CONFIG_ERROR, `downward API file ${item.path}: only fieldRef items with supported fields run here`);
    files[item.path] = value;
  }
  return { ok: true, value: files };
}

export function volumeFolders(volumes: readonly V1Volume[], podDir: string, objects: PodObjects, pod: V1Pod = {}): Planned<VolumeFolder[]> {
  const out: VolumeFolder[] = [];
  for (const v of volumes) {
    const own = `${podDir}/volumes/${v.name}`;
    if (v.emptyDir) out.push({ name: v.name, kind: 'dir', hostPath: own, create: true });
    else if (v.hostPath) out.push({ name: v.name, kind: 'dir', hostPath: v.hostPath.path, create: v.hostPath.type === 'DirectoryOrCreate' });
    else if (v.persistentVolumeClaim) {
      const host = objects.claims[v.persistentVolumeClaim.claimName];
      if (host === undefined) return fail(CONFIG_ERROR, `claim "${v.persistentVolumeClaim.claimName}" is not bound to a hostPath PersistentVolume`);
      out.push({ name: v.name, kind: 'dir', hostPath: host, create: false });
    } else if (v.configMap) {
      const files = projected(v.configMap.name ?? '', objects.configMaps[v.configMap.name ?? ''], v.configMap.items, v.configMap.optional ?? false, 'configmap');
      if (!files.ok) return files;
      out.push({ name: v.name, kind: 'files', hostPath: own, files: files.value });
    } else if (v.secret) {
      const files = projected(v.secret.secretName ?? '', objects.secrets[v.secret.secretName ?? ''], v.secret.items, v.secret.optional ?? false, 'secret');
      if (!files.ok) return files;
      out.push({ name: v.name, kind: 'files', hostPath: own, files: files.value });
    } else if (v.projected) {
      // The ServiceAccount admission's kube-api-access volume is one: its ConfigMap (the CA) and downward API
      // files are written, the token is not (the pod network cannot reach the API server anyway).
      const files: Record<string, string> = {};
      for (const source of v.projected.sources ?? []) {
        const part = source.configMap
          ? projected(source.configMap.name ?? '', objects.configMaps[source.configMap.name ?? ''], source.configMap.items, source.configMap.optional ?? false, 'configmap')
          : source.secret
            ? projected(source.secret.name ?? '', objects.secrets[source.secret.name ?? ''], source.secret.items, source.secret.optional ?? false, 'secret')
            : source.downwardAPI
              ? downwardFiles(source.downwardAPI.items ?? [], pod)
              : { ok: true as const, value: {} };
        if (!part.ok) return part;
        Object.assign(files, part.value);
      }
      out.push({ name: v.name, kind: 'files', hostPath: own, files });
    } else if (v.downwardAPI) {
      const files = downwardFiles(v.downwardAPI.items ?? [], pod);
      if (!files.ok) return files;
      out.push({ name: v.name, kind: 'files', hostPath: own, files: files.value });
    } else return fail(CONFIG_ERROR, `volume "${v.name}": only emptyDir, hostPath, persistentVolumeClaim, configMap, secret, downwardAPI and projected volumes run here`);
  }
  return { ok: true, value: out };
}

/** A container's terminationMessagePath when it sets none. */
export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';

/**
 * Path prefix -> host folder, for one container: its image's mapped folders, its termination-message file
 * (when `terminationFile` is given) and its mounts.
 */
export function pathMap(container: V1Container, folders: readonly VolumeFolder[], rule: ImageRule, terminationFile?: string): Planned<Record<string, string>> {
  const map: Record<string, string> = { ...(rule.paths ?? {}) };
  if (terminationFile !== undefined) map[container.terminationMessagePath ?? DEFAULT_TERMINATION_MESSAGE_PATH] = terminationFile;
  for (const m of container.volumeMounts ?? []) {
    const folder = folders.find((f) => f.name === m.name);
    if (!folder) return fail(CONFIG_ERROR, `volume mount "${m.name}" names no volume of the pod`);
    const sub = (m.subPath ?? '').replace(/^\/+|\/+$/g, '');
    map[m.mountPath.replace(/\/+$/, '') || '/'] = sub ? `${folder.hostPath}/${sub}` : folder.hostPath;
  }
  return { ok: true, value: map };
}

/** A URL's host 127.0.0.1, localhost or [::1] (a pod's own loopback) replaced by the pod's IP. */
export function rewriteLoopback(text: string, podIP: string): string {
  return text.replace(/(:\/\/)(127\.0\.0\.1|localhost|\[::1\])(?=[:/?#]|$)/g, (_, scheme: string) => `${scheme}${podIP}`);
}

/** Replaces every mapped path in `text` at a path boundary (followed by `/`, the end, or a non-path character). */
export function rewritePaths(text: string, paths: Readonly<Record<string, string>>): string {
  const prefixes = Object.keys(paths).filter((p) => p !== '/').sort((a, b) => b.length - a.length);
  if (prefixes.length === 0) return text;
  const escaped = prefixes.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(^|[^A-Za-z0-9_./-])(${escaped.join('|')})(?=$|/|[^A-Za-z0-9_.-])`, 'g');
  return text.replace(re, (_, before: string, path: string) => `${before}${paths[path] ?? path}`);
}

function fieldValue(pod: V1Pod, fieldPath: string): string | undefined {
  const label = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  // A label or annotation the pod does not have is empty, as on a kubelet (the Job controller's completion
  // index annotation is there before the pod is created).
  if (label) return (label[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[label[2] ?? ''] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata?.name;
    case 'metadata.namespace':
      return pod.metadata?.namespace;
    case 'metadata.uid':
      return pod.metadata?.uid;
    case 'spec.nodeName':
      return pod.spec?.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName;
    case 'status.podIP':
    case 'status.podIPs':
      return pod.status?.podIP;
    case 'status.hostIP':
      return pod.status?.hostIP;
    default:
      return undefined;
  }
}

/** `$(VAR)` references to variables defined earlier, as the kubelet expands them; `$$` escapes. */
export function expandVariables(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole: string, name: string | undefined) => {
    if (name === undefined) return '$';
    return env[name] ?? whole;
  });
}

/** The container's environment: envFrom, then env (values, field refs, ConfigMap and Secret keys), expanded. */
export function containerEnv(pod: V1Pod, container: V1Container, objects: PodObjects, podIP: string): Planned<Record<string, string>> {
  const env: Record<string, string> = {};
  const withIP: V1Pod = { ...pod, status: { ...pod.status, podIP } };
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    const data = from.configMapRef ? objects.configMaps[from.configMapRef.name ?? ''] : objects.secrets[from.secretRef?.name ?? ''];
    if (data === undefined) {
      if (ref?.optional) continue;
      return fail(CONFIG_ERROR, `${from.configMapRef ? 'configmap' : 'secret'} "${ref?.name ?? ''}" not found`);
    }
    for (const [k, v] of Object.entries(data)) env[`${from.prefix ?? ''}${k}`] = v;
  }
  for (const e of container.env ?? []) {
    const value = envValue(withIP, container.name, e, objects, env);
    if (!value.ok) return value;
    if (value.value !== undefined) env[e.name] = value.value;
  }
  return { ok: true, value: env };
}

function envValue(pod: V1Pod, containerName: string, e: V1EnvVar, objects: PodObjects, sofar: Readonly<Record<string, string>>): Planned<string | undefined> {
  if (e.value !== undefined) return { ok: true, value: expandVariables(e.value, sofar) };
  const from = e.valueFrom;
  if (!from) return { ok: true, value: '' };
  if (from.fieldRef) {
    const v = fieldValue(pod, from.fieldRef.fieldPath);
    return v === undefined ? fail(CONFIG_ERROR, `env ${e.name}: field ${from.fieldRef.fieldPath} is not supported here`) : { ok: true, value: v };
  }
  const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
  if (keyRef) {
    const what = from.configMapKeyRef ? 'configmap' : 'secret';
    const data = from.configMapKeyRef ? objects.configMaps[keyRef.name ?? ''] : objects.secrets[keyRef.name ?? ''];
    const v = data?.[keyRef.key];
    if (v === undefined) return keyRef.optional ? { ok: true, value: undefined } : fail(CONFIG_ERROR, `env ${e.name}: ${what} "${keyRef.name ?? ''}" key "${keyRef.key}" not found`);
    return { ok: true, value: v };
  }
  if (from.resourceFieldRef) {
    const v = resourceValue(pod, from.resourceFieldRef.containerName || containerName, from.resourceFieldRef.resource, from.resourceFieldRef.divisor);
    return v === undefined ? fail(CONFIG_ERROR, `env ${e.name}: resource ${from.resourceFieldRef.resource} is not supported here`) : { ok: true, value: v };
  }
  return fail(CONFIG_ERROR, `env ${e.name}: only value, fieldRef, resourceFieldRef, configMapKeyRef and secretKeyRef run here`);
}

/** The process node's allocatable resources (process-kubelet.ts), which an unset limit stands for. */
export const PROCESS_NODE_ALLOCATABLE: Readonly<Record<string, string>> = { cpu: '8', memory: '16Gi' };

const SUFFIXES: Readonly<Record<string, number>> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A resource quantity's value ("500m" -> 0.5, "1Gi" -> 1073741824), undefined when not one this parses. */
export function quantityValue(quantity: string | number): number | undefined {
  if (typeof quantity === 'number') return quantity;
  const m = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(quantity.trim());
  const factor = m ? SUFFIXES[m[2] ?? ''] : undefined;
  return m && factor !== undefined ? Number(m[1]) * factor : undefined;
}

/**
 * resourceFieldRef as the kubelet resolves it: the container's limit (the node's allocatable when unset) or
 * request (0 when unset), divided by the divisor (default 1) and rounded up.
 */
export function resourceValue(pod: V1Pod, containerName: string | undefined, resource: string, divisor: string | number | undefined): string | undefined {
  const m = /^(limits|requests)\.(cpu|memory)$/.exec(resource);
  if (!m) return undefined;
  const kind = m[1];
  const name = m[2] ?? '';
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const container = containers.find((c) => c.name === containerName);
  if (!container) return undefined;
  const set = kind === 'limits' ? (container.resources?.limits?.[name] ?? PROCESS_NODE_ALLOCATABLE[name]) : (container.resources?.requests?.[name] ?? container.resources?.limits?.[name] ?? '0');
  const value = quantityValue(set ?? '0');
  const by = quantityValue(divisor ?? '1');
  if (value === undefined || by === undefined || by <= 0) return undefined;
  return String(Math.ceil(value / by - 1e-9));
}

export interface ProcessPlan {
  /** The host program (resolved through the image map). */
  readonly command: string;
  readonly args: readonly string[];
  /** The container's variables (mount paths rewritten) and the bind variables; the runtime adds PATH and HOME. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
}

export interface ProcessPlanInput {
  readonly pod: V1Pod;
  readonly container: V1Container;
  readonly rules: readonly ImageRule[];
  readonly folders: readonly VolumeFolder[];
  readonly objects: PodObjects;
  readonly podIP: string;
  /** The host file standing for the container's terminationMessagePath in this run. */
  readonly terminationFile?: string;
}

/** The process a container becomes: Docker's ENTRYPOINT/CMD rules, then the image map and the path rewrite. */
export function processPlan(input: ProcessPlanInput): Planned<ProcessPlan> {
  const { container } = input;
  const image = container.image ?? '';
  const rule = findImageRule(input.rules, image);
  if (!rule) return fail(IMAGE_NOT_RUNNABLE, `image "${image}" is not in the process runtime's image map`);
  // A command replaces ENTRYPOINT and CMD; args alone replace CMD.
  const argv = container.command !== undefined ? [...container.command, ...(container.args ?? [])] : [...rule.entrypoint, ...(container.args ?? rule.cmd)];
  const [program, ...rest] = argv;
  if (program === undefined) return fail(IMAGE_NOT_RUNNABLE, `image "${image}" has no entrypoint and the container sets no command`);
  const paths = pathMap(container, input.folders, rule, input.terminationFile);
  if (!paths.ok) return paths;
  const env = containerEnv(input.pod, container, input.objects, input.podIP);
  if (!env.ok) return env;
  const expanded = { ...(rule.env ?? {}), ...env.value };
  const resolvedProgram = rule.executables[expandVariables(program, expanded)];
  if (resolvedProgram === undefined) return fail(IMAGE_NOT_RUNNABLE, `"${program}" is not an executable of image "${image}" in the process runtime's image map`);
  const rewrittenEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(expanded)) rewrittenEnv[k] = rewriteLoopback(rewritePaths(v, paths.value), input.podIP);
  const workingDir = container.workingDir ?? rule.workingDir;
  return {
    ok: true,
    value: {
      command: resolvedProgram,
      args: rest.map((a) => rewriteLoopback(rewritePaths(expandVariables(a, expanded), paths.value), input.podIP)),
      env: { ...rewrittenEnv, ...(rule.bindEnv?.(input.podIP) ?? {}) },
      cwd: workingDir === undefined ? undefined : rewritePaths(workingDir, paths.value),
    },
  };
}
