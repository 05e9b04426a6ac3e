// What `npm test` needs from the machine beyond `npm ci`, checked before anything runs: one line per missing
// prerequisite, naming it and the command that installs it, instead of a wall of failed tests later.
// Everything else the tests run (the control plane, helm, Traefik, Prometheus, Argo CD's health evaluator,
// kstatus) is built from pinned Go modules by test/cluster/tools.ts.

export interface Prerequisite {
  /** What is checked: a command on PATH, or `root`. */
  readonly need: string;
  /** Why the tests need it. */
  readonly why: string;
  /** How to get it. */
  readonly fix: string;
}

export const aptCommand = 'apt-get install -y iproute2 util-linux';

export const prerequisites: readonly Prerequisite[] = [
  { need: 'go', why: 'builds the test control plane and tools from pinned Go modules', fix: 'install Go >= 1.26 (or set MODELSHIP_TEST_ASSETS to a folder of prebuilt tools)' },
  { need: 'ip', why: 'the traffic tests create a pod network with ip netns and veth pairs', fix: aptCommand },
  { need: 'ss', why: 'the teardown tests check that no port is left listening', fix: aptCommand },
  { need: 'unshare', why: 'the test Prometheus runs with an in-cluster ServiceAccount in a private mount namespace', fix: aptCommand },
  { need: 'python3.11', why: 'the real model servers (MLServer from PyPI) run in a Python 3.11 virtual environment the tests create', fix: 'install Python 3.11 with its venv module (apt-get install -y python3.11 python3.11-venv), or set MODELSHIP_PYTHON to one' },
  { need: 'root', why: 'network namespaces and mounts for the traffic tests', fix: 'run the tests as root (sudo npm test)' },
];

/** The oldest Go that builds every module in test/cluster/go (their go.mod `go` lines, with GOTOOLCHAIN=local). */
export const minimumGo = [1, 26] as const;

export interface Machine {
  hasCommand(name: string): boolean;
  /** `go env GOVERSION` (e.g. go1.26.8), undefined without Go. */
  readonly goVersion: string | undefined;
  readonly isRoot: boolean;
  /** MODELSHIP_TEST_ASSETS is set: nothing is built, so Go is not needed. */
  readonly prebuiltTools: boolean;
}

/** The lines to print, one per missing prerequisite; empty when the machine has everything. */
export function missingPrerequisites(machine: Machine): string[] {
  return prerequisites
    .filter((p) => {
      if (p.need === 'root') return !machine.isRoot;
      if (p.need === 'go') return !machine.prebuiltTools && !goIsRecentEnough(machine.goVersion);
      return !machine.hasCommand(p.need);
    })
    .map((p) => (p.need === 'go' && machine.goVersion ? `${machine.goVersion} is too old` : `missing ${p.need}`) + ` (${p.why}): ${p.fix}`);
}

function goIsRecentEnough(version: string | undefined): boolean {
  const m = /^go(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > minimumGo[0] || (major === minimumGo[0] && minor >= minimumGo[1]);
}
