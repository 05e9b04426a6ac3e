// PURE: the benchmark's command line and the sizes it implies. --quick runs a smaller set in well
// under 10 minutes on a warm cache; the full run follows DESIGN.md section 6 (1000 ModelDeployments,
// a 10-minute rest window).
export interface BenchArgs {
  readonly quick: boolean;
  /** Groups to run: latency (with rollout), throughput (with rest and memory), floor, kserve, startup, leader, fetch, batch, agent. */
  readonly only: readonly string[];
  readonly restMinutes: number | undefined;
  readonly runs: number | undefined;
  /** KServe's repetitions (default: --runs); its figures do not move with modelship's code. */
  readonly kserveRuns: number | undefined;
  readonly count: number | undefined;
  readonly waitForQuiet: boolean;
  /** Node flags for every operator process: --node-flags="..." and --cpu-prof from --profile. */
  readonly nodeFlags: readonly string[];
  /** The operator's entry point (default src/main.ts): another version's copy, for before/after figures. */
  readonly operatorEntry: string | undefined;
  /** Added to result file names (<name>.<label>.json), so a variant's run keeps the plain one's files. */
  readonly label: string | undefined;
  /**
   * The kserve group also converges the same count with modelship on fresh control planes, at its
   * defaults and at KServe's per-client settings (20 QPS, burst 30, one reconcile at a time).
   */
  readonly kserveEqualSettings: boolean;
  readonly raw: readonly string[];
}

export const GROUPS = ['latency', 'throughput', 'floor', 'kserve', 'startup', 'leader', 'fetch', 'batch', 'agent', 'rollout-peers'] as const;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const num = (name: string) => {
    const v = value(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!(n > 0)) throw new Error(`--${name} must be a positive number, got ${v}`);
    return n;
  };
  const only = (value('only') ?? '').split(',').filter(Boolean);
  const unknown = only.filter((g) => !(GROUPS as readonly string[]).includes(g));
  if (unknown.length > 0) throw new Error(`--only: unknown group ${unknown.join(', ')}; groups: ${GROUPS.join(', ')}`);
  const profileDir = value('profile-dir') ?? '.local/bench-profiles';
  return {
    quick: argv.includes('--quick'),
    only,
    restMinutes: num('rest-minutes'),
    runs: num('runs'),
    kserveRuns: num('kserve-runs'),
    count: num('count'),
    waitForQuiet: argv.includes('--wait-for-quiet'),
    nodeFlags: [...(value('node-flags') ?? '').split(' ').filter(Boolean), ...(argv.includes('--profile') ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    operatorEntry: value('operator-entry'),
    label: value('label'),
    kserveEqualSettings: argv.includes('--kserve-equal-settings'),
    raw: argv,
  };
}

export interface Sizes {
  readonly applies: number;
  readonly rolloutRepetitions: number;
  readonly count: number;
  readonly changes: number;
  readonly restMinutes: number;
  readonly runs: number;
  readonly kserveRuns: number;
  readonly startupRuns: number;
  /** Leader election: ModelDeployments reconciled meanwhile, and repetitions of each scenario. */
  readonly leaderModels: number;
  readonly leaderRepetitions: number;
  /** Idle time before a process's memory is read. */
  readonly settleMs: number;
  /** Model fetch: the object's size and the repetitions. */
  readonly fetchMiB: number;
  readonly fetchRuns: number;
  /** Batch runner: rows of the throughput and scaling runs, of the small memory runs, and repetitions. */
  readonly batchRows: number;
  readonly batchSmallRows: number;
  readonly batchRuns: number;
}

export function sizesFor(args: BenchArgs): Sizes {
  const base: Sizes = args.quick
    ? { applies: 100, rolloutRepetitions: 3, count: 150, changes: 50, restMinutes: 2, runs: 1, kserveRuns: 1, startupRuns: 2, leaderModels: 200, leaderRepetitions: 3, settleMs: 4000, fetchMiB: 256, fetchRuns: 3, batchRows: 200_000, batchSmallRows: 10_000, batchRuns: 2 }
    : { applies: 100, rolloutRepetitions: 5, count: 1000, changes: 100, restMinutes: 10, runs: 1, kserveRuns: 1, startupRuns: 5, leaderModels: 200, leaderRepetitions: 3, settleMs: 10_000, fetchMiB: 1024, fetchRuns: 3, batchRows: 1_000_000, batchSmallRows: 10_000, batchRuns: 3 };
  return {
    ...base,
    ...(args.count !== undefined ? { count: Math.round(args.count), changes: Math.min(base.changes, Math.round(args.count)) } : {}),
    ...(args.restMinutes !== undefined ? { restMinutes: args.restMinutes } : {}),
    ...(args.runs !== undefined ? { runs: Math.round(args.runs), kserveRuns: Math.round(args.runs) } : {}),
    ...(args.kserveRuns !== undefined ? { kserveRuns: Math.round(args.kserveRuns) } : {}),
  };
}
