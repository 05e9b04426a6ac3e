// The test binaries and the Go wrapper modules (test/cluster/go/<module>) they are built from.
// Versions live in each module's go.mod; this table says which packages become which binaries.

export interface ToolBinary {
  /** Go package path of the main package. */
  readonly pkg: string;
  /** File name of the built binary. */
  readonly bin: string;
}

export interface ToolModule {
  /** Folder under test/cluster/go. */
  readonly name: string;
  readonly binaries: readonly ToolBinary[];
  /** -ldflags for the build; part of the cache key. */
  readonly ldflags: string;
  /**
   * Measured wall time of a cold build (module downloads included) on the 2-core development machine, in
   * seconds, building in this table's order on empty caches (a later module reuses the downloads and
   * compiled packages of earlier ones): only for telling a user how long the first build will take.
   */
  readonly coldBuildSeconds: number;
}

const kubernetesVersion = 'v1.35.4';

// hack/lib/version.sh sets the same variables, so /version and `kubectl version` report the real release.
const kubernetesLdflags = [
  '-s -w',
  ...['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${kubernetesVersion}`,
    `-X ${pkg}.gitMajor=1`,
    `-X ${pkg}.gitMinor=35`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
  ]),
].join(' ');

export const toolModules: readonly ToolModule[] = [
  {
    name: 'kubernetes',
    ldflags: kubernetesLdflags,
    coldBuildSeconds: 410,
    binaries: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'].map((bin) => ({
      pkg: `k8s.io/kubernetes/cmd/${bin}`,
      bin,
    })),
  },
  { name: 'etcd', ldflags: '-s -w', coldBuildSeconds: 40, binaries: [{ pkg: 'go.etcd.io/etcd/server/v3', bin: 'etcd' }] },
  { name: 'kwok', ldflags: '-s -w', coldBuildSeconds: 94, binaries: [{ pkg: 'sigs.k8s.io/kwok/cmd/kwok', bin: 'kwok' }] },
  { name: 'helm', ldflags: '-s -w', coldBuildSeconds: 142, binaries: [{ pkg: 'helm.sh/helm/v4/cmd/helm', bin: 'helm' }] },
  // The Gateway API implementation of the traffic tests (test/cluster/traffic.ts). Its version stays "dev":
  // Traefik then never checks for a new release, one more guard against traffic leaving the machine.
  { name: 'traefik', ldflags: '-s -w', coldBuildSeconds: 426, binaries: [{ pkg: 'github.com/traefik/traefik/v3/cmd/traefik', bin: 'traefik' }] },
  // A small command of ours (main.go in the module) around the kstatus library Helm 4 and Flux use, so the
  // status tests ask the real library what it makes of a ModelDeployment (test/e2e/kstatus.test.ts).
  { name: 'kstatus', ldflags: '-s -w', coldBuildSeconds: 15, binaries: [{ pkg: 'modelship.io/test/cluster/kstatus', bin: 'kstatus' }] },
  // A small command of ours around Argo CD's own health evaluation (argo-cd v3.2.12 util/lua, util/settings and
  // gitops-engine's pkg/health), so the Argo CD health check is tested as Argo CD runs it (test/unit/argocd-health.test.ts).
  { name: 'argocd-health', ldflags: '-s -w', coldBuildSeconds: 180, binaries: [{ pkg: 'modelship.io/test/cluster/argocd-health', bin: 'argocd-health' }] },
  // The data-path tests' Prometheus (kubernetes_sd_configs included) and promtool for the chart's alert rule
  // tests; the version flag makes `prometheus --version` and the build_info metric report the release.
  {
    name: 'prometheus',
    ldflags: '-s -w -X github.com/prometheus/common/version.Version=3.15.1',
    coldBuildSeconds: 406,
    binaries: ['prometheus', 'promtool'].map((bin) => ({ pkg: `github.com/prometheus/prometheus/cmd/${bin}`, bin })),
  },
  // The S3-compatible object store of the model-fetch tests and benchmarks (test/cluster/s3-server.ts):
  // versitygw over a plain folder. The version flags make `versitygw --version` report the release.
  {
    name: 'versitygw',
    ldflags: '-s -w -X main.Version=v1.8.0 -X main.Build=v1.8.0',
    coldBuildSeconds: 216,
    binaries: [{ pkg: 'github.com/versity/versitygw/cmd/versitygw', bin: 'versitygw' }],
  },
];

export const requiredBinaries: readonly string[] = toolModules.flatMap((m) => m.binaries.map((b) => b.bin));

/**
 * Which modules a command needs: `control-plane` is what `npm run demo` and `npm run cluster` run
 * (kube-apiserver, etcd, kube-controller-manager, kube-scheduler, kubectl, kwok); `all` is every test tool.
 */
export type ToolSet = 'control-plane' | 'all';

const controlPlaneModules: readonly string[] = ['kubernetes', 'etcd', 'kwok'];

export function modulesOf(set: ToolSet): readonly ToolModule[] {
  return set === 'all' ? toolModules : toolModules.filter((m) => controlPlaneModules.includes(m.name));
}

// Built only by the benchmarks (bench/kserve-peer.ts), never by the tests: KServe's controller
// (cmd/manager), the peer modelship is compared with.
export const benchToolModules: readonly ToolModule[] = [
  { name: 'kserve', ldflags: '-s -w', coldBuildSeconds: 600, binaries: [{ pkg: 'github.com/kserve/kserve/cmd/manager', bin: 'kserve-manager' }] },
  // The rollout peers (bench/rollout-peers.ts): Flagger and Argo Rollouts, each driving the data path's
  // Traefik through TraefikService weights. Their cold times were taken on a machine at load 13 (other builds
  // and tests ran), module downloads included.
  { name: 'flagger', ldflags: '-s -w', coldBuildSeconds: 520, binaries: [{ pkg: 'github.com/fluxcd/flagger/cmd/flagger', bin: 'flagger' }] },
  {
    name: 'argo-rollouts',
    ldflags: '-s -w -X github.com/argoproj/argo-rollouts/utils/version.version=1.10.1',
    coldBuildSeconds: 815,
    binaries: [{ pkg: 'github.com/argoproj/argo-rollouts/cmd/rollouts-controller', bin: 'rollouts-controller' }],
  },
];
