// Traffic providers of the test control plane: the Gateway API, Traefik and Istio CRDs, read from the Go
// module cache (the modules pinned in test/cluster/go; never copied into the repo), and Traefik v3.6 as the
// Gateway API implementation, run as a process against the test API server.
//
// What Traefik v3.6's kubernetesGateway provider does and does not do (read from its source, and shown by
// test/integration/data-path-gateway.test.ts):
// - routes HTTPRoutes attached to the Gateway, with weighted backendRefs (a smooth weighted round robin, so
//   the split is exact over a whole cycle, not random), header/query/method matches and header filters, to the
//   Services' ready endpoints from their EndpointSlices, i.e. to pod IPs in the pod network;
// - does NOT implement the RequestMirror filter: a rule carrying one is answered with HTTP 500 for every request
//   (its router is replaced by an "invalid-httproute-filter" service), while the HTTPRoute's status still says
//   Accepted=True and ResolvedRefs=True; only Traefik's log says "unsupported filter RequestMirror". The same holds
//   for v3.7. Mirroring through Traefik is done with its
//   own TraefikService of kind `mirroring` (traefik.io/v1alpha1, with `percent` per mirror), referenced from the
//   HTTPRoute as a backendRef {group: traefik.io, kind: TraefikService}; that needs the kubernetesCRD provider and
//   Traefik's CRDs, both switched on here.
// Traefik sends to what EndpointSlices name: pods get IPs in the pod network only, so a test that writes
// EndpointSlices (or ExternalName Services) by hand must keep them inside the pod /16 too.
// Istio: its CRDs are installed so that VirtualServices can be created and read; there is no Istio data plane
// (no envoy can be built here), so nothing routes by them.
import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { freePort } from './free-port.ts';
import { waitFor } from './https-request.ts';
import { ManagedProcess } from './managed-process.ts';
import { goModuleDir } from './tools.ts';
import { upsert } from './upsert-object.ts';

export const gatewayApiVersion = 'v1.4.0';
export const gatewayClassName = 'traefik';
export const gatewayControllerName = 'traefik.io/gateway-controller';

function kubectl(toolsDir: string, kubeconfig: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(join(toolsDir, 'kubectl'), ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl ${args.slice(0, 2).join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * Applies CRD files server-side and waits until they serve. `kubectl wait` fails outright on a CRD
 * created a moment ago that has no conditions yet, so the wait is retried.
 */
export async function installCrdFiles(toolsDir: string, kubeconfig: string, files: readonly string[]): Promise<string[]> {
  const out = await kubectl(toolsDir, kubeconfig, ['apply', '--server-side', '--force-conflicts', ...files.flatMap((f) => ['-f', f]), '-o', 'name']);
  const names = out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('customresourcedefinition'));
  for (let attempt = 1; names.length > 0; attempt++) {
    try {
      await kubectl(toolsDir, kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', ...names]);
      break;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return names.map((n) => n.slice(n.indexOf('/') + 1));
}

function gatewayApiCrdFiles(): string[] {
  const dir = join(goModuleDir('traefik', 'sigs.k8s.io/gateway-api'), 'config', 'crd', 'standard');
  return readdirSync(dir)
    .filter((f) => f.startsWith('gateway.networking.k8s.io_') && f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
}

function traefikCrdFiles(): string[] {
  const dir = join(goModuleDir('traefik', 'github.com/traefik/traefik/v3'), 'docs', 'content', 'reference', 'dynamic-configuration');
  return readdirSync(dir)
    .filter((f) => f.startsWith('traefik.io_') && f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
}

/** Gateway API CRDs (standard channel, which includes the RequestMirror filter's percent), from sigs.k8s.io/gateway-api. */
export function installGatewayApiCrds(kubeconfig: string, toolsDir: string): Promise<string[]> {
  return installCrdFiles(toolsDir, kubeconfig, gatewayApiCrdFiles());
}

/** Istio's CRDs (networking.istio.io VirtualService, DestinationRule, ...), from istio.io/api. Objects only. */
export function installIstioCrds(kubeconfig: string, toolsDir: string): Promise<string[]> {
  const file = join(goModuleDir('istio-api', 'istio.io/api'), 'kubernetes', 'customresourcedefinitions.gen.yaml');
  return installCrdFiles(toolsDir, kubeconfig, [file]);
}

/** Traefik's own CRDs (traefik.io: TraefikService, Middleware, ...), from the Traefik module. */
export function installTraefikCrds(kubeconfig: string, toolsDir: string): Promise<string[]> {
  return installCrdFiles(toolsDir, kubeconfig, traefikCrdFiles());
}

export interface TraefikOptions {
  readonly kubeconfig: string;
  readonly toolsDir: string;
  /** Folder for Traefik's logs. */
  readonly dir: string;
  /** The Gateway to create (default ml-gateway in the namespace gateways). */
  readonly gatewayName?: string;
  readonly gatewayNamespace?: string;
  /** Called with Traefik's pid as soon as it runs (the pod network records it for the sweep). */
  readonly onProcess?: (pid: number) => void;
}

export interface GatewayRef {
  readonly name: string;
  readonly namespace: string;
  /** The listener's name, for parentRefs[].sectionName. */
  readonly sectionName: string;
}

export interface Traefik {
  /** The `web` entrypoint on 127.0.0.1, which the Gateway's listener is. */
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Traefik's own entrypoint (ping, and the API: /api/http/routers, /api/http/services). */
  readonly apiPort: number;
  readonly gateway: GatewayRef;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Runs Traefik with its kubernetesGateway and kubernetesCRD providers against the test API server (through
 * KUBECONFIG), an entrypoint `web` on a free loopback port, a GatewayClass `traefik` and a Gateway listening on
 * that port (listener `http`, routes from every namespace), and waits until the Gateway is Programmed.
 * Installs the Gateway API and Traefik CRDs first (idempotent).
 */
/** Prepended to every route on the `web` entrypoint (see startTraefik). */
const RETRY_MIDDLEWARE = 'retry-connect-failures';

export async function startTraefik(options: TraefikOptions): Promise<Traefik> {
  const { kubeconfig, toolsDir } = options;
  await installCrdFiles(toolsDir, kubeconfig, [...gatewayApiCrdFiles(), ...traefikCrdFiles()]);
  const port = await freePort();
  const apiPort = await freePort();
  const gateway: GatewayRef = { name: options.gatewayName ?? 'ml-gateway', namespace: options.gatewayNamespace ?? 'gateways', sectionName: 'http' };

  // Connection failures are retried on another endpoint before any byte of the request is sent, as Istio's
  // default retry policy (connect-failure) and most production gateways do. Why: a pod's preStop drain (5 s)
  // covers endpoint propagation in a real cluster, but on the 2-core machine that runs this whole suite the
  // EndpointSlice controller has been seen retrying for longer ("informer cache is out of date"), so Traefik
  // could still pick a pod that had just gone: a rare 502 that says nothing about the operator. A request
  // that reached a server is never retried, and a Service with no endpoints is still a 503.
  const dynamicConfig = join(options.dir, 'traefik-dynamic.yaml');
  writeFileSync(dynamicConfig, `http:\n  middlewares:\n    ${RETRY_MIDDLEWARE}:\n      retry:\n        attempts: 3\n        initialInterval: 50ms\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig };
  delete env.KUBERNETES_SERVICE_HOST;
  delete env.KUBERNETES_SERVICE_PORT;
  const proc = new ManagedProcess({
    name: 'traefik',
    command: join(toolsDir, 'traefik'),
    args: [
      // Never call home: no version check, no usage statistics (the binary's version is "dev" as well).
      '--global.checknewversion=false',
      '--global.sendanonymoususage=false',
      `--entrypoints.web.address=127.0.0.1:${port}`,
      `--entrypoints.traefik.address=127.0.0.1:${apiPort}`,
      '--entrypoints.web.transport.lifecycle.gracetimeout=1s',
      '--ping=true',
      '--api=true',
      '--api.insecure=true',
      '--api.dashboard=false',
      '--providers.kubernetesgateway=true',
      '--providers.kubernetescrd=true',
      '--providers.kubernetescrd.allowcrossnamespace=true',
      '--providers.providersthrottleduration=200ms',
      `--providers.file.filename=${dynamicConfig}`,
      `--entrypoints.web.http.middlewares=${RETRY_MIDDLEWARE}@file`,
      '--log.level=INFO',
      '--log.nocolor=true',
      // The folder on the command line also lets the sweep tell this process from a reused pid.
      `--accesslog.filepath=${join(options.dir, 'traefik-access.log')}`,
    ],
    env,
    logFile: join(options.dir, 'traefik.log'),
  });
  options.onProcess?.(proc.pid);
  try {
    await waitFor('traefik /ping', async () => {
      if (!proc.running) throw new Error(`traefik exited:\n${proc.tail()}`);
      return (await fetch(`http://127.0.0.1:${apiPort}/ping`)).ok;
    }, 60_000);

    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const client = KubernetesObjectApi.makeApiClient(kc);
    await upsert(client, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: gateway.namespace } });
    await upsert(client, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: gatewayClassName },
      spec: { controllerName: gatewayControllerName },
    } as KubernetesObject);
    await upsert(client, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: gateway.name, namespace: gateway.namespace },
      spec: {
        gatewayClassName,
        listeners: [{ name: gateway.sectionName, protocol: 'HTTP', port, allowedRoutes: { namespaces: { from: 'All' } } }],
      },
    } as KubernetesObject);
    await waitFor(`Gateway ${gateway.namespace}/${gateway.name} Programmed`, async () => {
      if (!proc.running) throw new Error(`traefik exited:\n${proc.tail()}`);
      const gw = await client.read<KubernetesObject & { status?: { conditions?: { type: string; status: string; observedGeneration?: number }[] } }>({
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: gateway.name, namespace: gateway.namespace },
      });
      const programmed = gw.status?.conditions?.find((c) => c.type === 'Programmed');
      return programmed?.status === 'True' && programmed.observedGeneration === gw.metadata?.generation;
    }, 60_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    apiPort,
    gateway,
    process: proc,
    stop: () => proc.stop(),
  };
}
