// PURE: the one summary table of README "Performance", made from the result files under bench/results
// (the full runs', not --quick's or labelled ones): each row says what was measured, against which target
// (DESIGN.md section 6 or the issue that set it), from which run (date, commit, 1-minute load at its start).
// A figure whose file is missing says "not measured"; none is typed in by hand.

/** Parsed result files by name (e.g. 'latency' for bench/results/latency.json). */
export type ResultFiles = ReadonlyMap<string, unknown>;

interface Row {
  readonly figure: string;
  readonly measured: string;
  readonly target: string;
  readonly met?: boolean;
  /** The result file the figure comes from. */
  readonly source: string;
}

function at(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const str = (value: unknown, ...path: string[]): string | undefined => {
  const v = at(value, ...path);
  return typeof v === 'string' ? v : undefined;
};

const num = (value: unknown, ...path: string[]): number | undefined => {
  const v = at(value, ...path);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
};

const fixed = (n: number | undefined, digits = 1) => (n === undefined ? 'n/a' : n.toFixed(digits));
const percent = (n: number | undefined, digits = 1) => (n === undefined ? 'n/a' : `${(n * 100).toFixed(digits)}%`);
/** A {min, median, max, runs} summary as "median (min–max)". */
const span = (value: unknown, digits = 1, unit = '') => {
  const median = num(value, 'median');
  if (median === undefined) return 'n/a';
  const runs = num(value, 'runs') ?? 1;
  const range = runs > 1 ? ` (${fixed(num(value, 'min'), digits)}–${fixed(num(value, 'max'), digits)})` : '';
  return `${fixed(median, digits)}${unit}${range}`;
};

/** Where and when a file's figures were measured. */
export function runOf(file: unknown): string {
  const date = str(file, 'at')?.slice(0, 10) ?? '?';
  const commit = str(file, 'versions', 'commit')?.split(' ')[0] ?? '?';
  const load = num(file, 'load', 'atRunStart', 'load1');
  return `${date}, ${commit}, load ${fixed(load, 1)}`;
}

function rows(files: ResultFiles): Row[] {
  const out: Row[] = [];
  const add = (source: string, make: (file: unknown) => Omit<Row, 'source'>[]) => {
    const file = files.get(source);
    if (file === undefined || at(file, 'error') !== undefined) return;
    for (const row of make(file)) out.push({ ...row, source });
  };
  add('latency', (f) => {
    const p50 = num(f, 'childrenExistMs', 'p50');
    const p99 = num(f, 'childrenExistMs', 'p99');
    return [
      {
        figure: `apply → all children exist (${num(f, 'applies') ?? '?'} applies, idle)`,
        measured: `p50 ${fixed(p50, 0)} / p99 ${fixed(p99, 0)} ms`,
        target: 'p50 ≤ 150 ms, p99 ≤ 500 ms',
        ...(p50 !== undefined && p99 !== undefined ? { met: p50 <= 150 && p99 <= 500 } : {}),
      },
    ];
  });
  add('throughput', (f) => {
    const ratio = num(f, 'operatorOverFloor', 'childrenExist');
    const failed = num(f, 'failedReconciles');
    return [
      {
        figure: `${num(f, 'modelDeployments') ?? '?'} ModelDeployments at once: children exist, operator / floor`,
        measured: `${fixed(ratio, 2)}× (${span(at(f, 'childrenExistSeconds'), 1, ' s')}), ${failed ?? '?'} failed reconciles`,
        target: '≤ 1.2×, 0 failed',
        ...(ratio !== undefined && failed !== undefined ? { met: ratio <= 1.2 && failed === 0 } : {}),
      },
    ];
  });
  add('rest', (f) => {
    const writes = num(f, 'operatorWrites');
    return [
      {
        figure: `at rest, ${fixed((num(f, 'windowSeconds') ?? NaN) / 60, 0)} min with a forced relist: operator writes`,
        measured: `${writes ?? 'n/a'}`,
        target: '0 over 10 min',
        ...(writes !== undefined ? { met: writes === 0 && (num(f, 'windowSeconds') ?? 0) >= 600 } : {}),
      },
    ];
  });
  add('memory', (f) => {
    const levels = at(f, 'levels');
    const last = Array.isArray(levels) ? (levels.at(-1) as unknown) : undefined;
    const rss = num(last, 'rssMiB');
    return [
      {
        figure: `operator RSS with ${num(last, 'modelDeployments') ?? '?'} ModelDeployments and their children cached`,
        measured: `${fixed(rss)} MiB`,
        target: '≤ 150 MiB at 1000',
        ...(rss !== undefined ? { met: rss <= 150 } : {}),
      },
    ];
  });
  add('scale', (f) => {
    const levels = at(f, 'levels');
    const list = Array.isArray(levels) ? (levels as unknown[]) : [];
    const top = list.at(-1);
    const count = num(top, 'modelDeployments');
    const rss = num(top, 'freshRssMiB');
    const stepsValue = at(f, 'growth', 'steps');
    const steps = Array.isArray(stepsValue) ? (stepsValue as unknown[]) : [];
    const perStep = steps.map((st) => `${num(st, 'from') ?? '?'}→${num(st, 'to') ?? '?'}: ${fixed(num(st, 'rssKiBPerModelDeployment'))} KiB`).join(', ');
    const ratio = num(f, 'growth', 'marginalRatio', 'rss');
    const runsValue = at(f, 'runs');
    const runs = Array.isArray(runsValue) ? (runsValue as unknown[]) : [];
    const topRun = runs.at(-1);
    const restWrites = runs.map((r) => num(r, 'operator', 'rest', 'operatorWrites'));
    const toFloor = num(f, 'growth', 'perLevel', String(list.length - 1), 'operatorToFloor');
    // A level measured partly with other operator code says so in its run (`operatorCode`).
    const mixedCode = runs.some((r) => at(r, 'operatorCode') !== undefined);
    return [
      {
        figure: `${count ?? '?'} ModelDeployments cached: operator RSS; extra memory per ModelDeployment from level to level`,
        measured: `${fixed(rss)} MiB; ${perStep || 'one level only'}${ratio !== undefined ? ` (last step / first ${fixed(ratio, 2)}×)` : ''}${mixedCode ? '; the levels ran different operator code (see Scale below)' : ''}`,
        target: '≤ 400 MiB at 10,000; linear (the same per step)',
        ...(rss !== undefined && count === 10_000 ? { met: rss <= 400 } : {}),
      },
      {
        figure: `${count ?? '?'} ModelDeployments at once: children exist, operator / floor; writes at rest at every level`,
        measured: `${fixed(toFloor, 2)}× (${fixed(num(topRun, 'operator', 'create', 'childrenExistSeconds'))} s); ${restWrites.map((w) => fixed(w, 0)).join(', ')}`,
        target: '0 writes at rest',
        ...(restWrites.length > 0 && restWrites.every((w) => w !== undefined) ? { met: restWrites.every((w) => w === 0) } : {}),
      },
    ];
  });
  // The sharding runs: sharding.json (3000 models on the last run) and the levels at 10,000, each run on its own
  // (`--count=10000 --shards=2 --label=10000`, `--shards=1 --label=10000-1-shard`, `--shards=4 --label=10000-4-shards`).
  for (const source of ['sharding', 'sharding.10000', 'sharding.10000-1-shard', 'sharding.10000-4-shards']) add(source, (f) => {
    const levels = at(f, 'levels');
    const list = Array.isArray(levels) ? (levels as unknown[]) : [];
    if (list.length === 0) return [];
    const count = num(list[0], 'modelDeployments');
    const ready = list
      .map((l) => {
        const shards = num(l, 'shards') ?? '?';
        const exited = num(l, 'exitedShards') ?? 0;
        const failed = num(l, 'failedRuns') ?? 0;
        const time = num(l, 'readySeconds', 'median');
        return `${shards}: ${failed > 0 || time === undefined ? 'did not finish' : `${fixed(time)} s`}${exited > 0 ? ` (${exited} shard${exited === 1 ? '' : 's'} exited)` : ''}`;
      })
      .join(', ');
    const bad = (key: string) => list.reduce((a: number, l) => a + (num(l, key) ?? 0), 0);
    const problems = bad('foreignWrites') + bad('writtenByMoreThanOneShard') + bad('ownerWroteNothing');
    const allChecked = list.every((l) => at(l, 'checksOk') !== undefined);
    return [
      {
        figure: `${count ?? '?'} ModelDeployments over shards: all Ready by shard count; writes for another shard's, by two shards, or missing`,
        measured: `${ready}; ${problems}`,
        target: 'none written twice or missed',
        ...(allChecked ? { met: problems === 0 && list.every((l) => at(l, 'checksOk') === true) } : {}),
      },
    ];
  });
  add('leader-election', (f) => {
    const kill = num(f, 'kill9', 'fromKillSeconds', 'max');
    const term = num(f, 'sigterm', 'fromSignalSeconds', 'max');
    return [
      {
        figure: 'leader failover: kill -9; SIGTERM (worst of the runs)',
        measured: `${fixed(kill)} s; ${fixed(term, 2)} s`,
        target: '≤ 17 s; ≤ 3 s',
        ...(kill !== undefined && term !== undefined ? { met: kill <= 17 && term <= 3 } : {}),
      },
    ];
  });
  add('accuracy-aa', (f) => {
    const rate = num(f, 'aaFalseFailRate');
    return [{ figure: 'accuracy analysis, A/A: rollouts falsely failed, however often it looks', measured: percent(rate, 2), target: '≤ 5%', ...(rate !== undefined ? { met: rate <= 0.05 } : {}) }];
  });
  add('drift-power', (f) => {
    const scenarios = at(f, 'scenarios');
    const list = Array.isArray(scenarios) ? (scenarios as unknown[]) : [];
    const noDrift = list.filter((s) => num(s, 'shift') === 0).map((s) => num(s, 'driftRate') ?? NaN);
    const shifted = list.filter((s) => (num(s, 'shift') ?? 0) > 0);
    const worst = noDrift.length > 0 ? Math.max(...noDrift) : undefined;
    return [
      {
        figure: 'drift checks: false alarms per check with no drift; power for a 0.2 sd shift of 1 feature in 20',
        measured: `${percent(worst)}; ${shifted.map((s) => `${percent(num(s, 'driftRate'), 0)} at ${num(s, 'samples')}`).join(', ')}`,
        target: '≤ 5% per check',
        ...(worst !== undefined ? { met: worst <= 0.05 } : {}),
      },
    ];
  });
  add('batch', (f) => {
    const ratio = num(f, 'throughput', 'ratioToCeiling');
    const small = num(f, 'rss', 'small', 'peakRssMiB', 'median');
    const large = num(f, 'rss', 'large', 'peakRssMiB', 'median');
    return [
      { figure: 'batch runner / the same MLServer driven directly', measured: `${fixed(ratio, 2)}×`, target: '≥ 0.9×', ...(ratio !== undefined ? { met: ratio >= 0.9 } : {}) },
      {
        figure: `batch runner peak RSS, ${num(f, 'rss', 'small', 'rows') ?? '?'} / ${num(f, 'rss', 'large', 'rows') ?? '?'} rows`,
        measured: `${fixed(small, 0)} / ${fixed(large, 0)} MiB`,
        target: '≤ 128 MiB, flat in input size',
        ...(small !== undefined && large !== undefined ? { met: large <= 128 } : {}),
      },
    ];
  });
  add('agent', (f) => {
    const p50 = num(f, 'mlserver', 'sampledOut', 'addedP50Ms', 'median');
    const p99 = num(f, 'mlserver', 'sampledOut', 'addedP99Ms', 'median');
    const tp = num(f, 'mlserver', 'sampledOut', 'throughputRatio', 'median');
    const rss = num(f, 'mlserver', 'sampledOut', 'peakRssMiB', 'median');
    const rssLogged = num(f, 'mlserver', 'everyRequestLoggedToSlowSink', 'peakRssMiB', 'median');
    const p99Logged = num(f, 'mlserver', 'everyRequestLoggedToSlowSink', 'addedP99Ms', 'median');
    return [
      {
        figure: 'inference agent before MLServer: added latency p50 / p99 (sampled out)',
        measured: `${fixed(p50, 2)} / ${fixed(p99, 2)} ms`,
        target: '≤ 1 / 3 ms',
        ...(p50 !== undefined && p99 !== undefined ? { met: p50 <= 1 && p99 <= 3 } : {}),
      },
      { figure: 'inference agent: throughput at saturation, through it / direct', measured: `${fixed(tp, 2)}×`, target: '≥ 0.9×', ...(tp !== undefined ? { met: tp >= 0.9 } : {}) },
      { figure: 'inference agent peak RSS under load (sampled out)', measured: `${fixed(rss, 0)} MiB`, target: '≤ 80 MiB', ...(rss !== undefined ? { met: rss <= 80 } : {}) },
      {
        // Logging's cost is reported, not held to the overhead targets (the agent's own figures above).
        figure: 'inference agent logging every request to a slow sink: added p99; peak RSS',
        measured: `${fixed(p99Logged, 2)} ms; ${fixed(rssLogged, 0)} MiB`,
        target: 'reported',
      },
    ];
  });
  add('fetch', (f) => {
    const ratio = num(f, 'ratioToFloor');
    const rss = num(f, 'fetcher', 'peakRssMiB', 'median') ?? num(f, 'fetcher', 'peakRssMiB');
    return [
      {
        figure: `model fetch from S3, ${num(f, 'objectMiB') ?? '?'} MiB: fetcher / SDK read floor; peak RSS`,
        measured: `${fixed(ratio, 2)}× (${span(at(f, 'fetcher', 'mibPerSecond'), 0, ' MiB/s')}); ${fixed(rss, 0)} MiB`,
        target: '≥ 0.9×; ≤ 128 MiB',
        ...(ratio !== undefined ? { met: ratio >= 0.9 && (rss ?? Infinity) <= 128 } : {}),
      },
    ];
  });
  add('kserve-peer', (f) => {
    const children = num(f, 'modelshipOverKServe', 'childrenExist');
    const ready = num(f, 'modelshipOverKServe', 'ready');
    const rss = num(f, 'modelshipOverKServe', 'rss');
    const cpu = (num(f, 'modelship', 'cpuSecondsToConverge') ?? NaN) / (num(f, 'kserve', 'cpuSecondsToConverge') ?? NaN);
    return [
      {
        figure: `KServe ${str(f, 'kserve', 'version') ?? ''}, each at its default client settings (${num(f, 'kserve', 'inferenceServices') ?? '?'} models): modelship / KServe time to children; to Ready; CPU; RSS`,
        measured: `${fixed(children, 2)}×; ${fixed(ready, 2)}×; ${fixed(Number.isFinite(cpu) ? cpu : undefined, 2)}×; ${fixed(rss, 2)}×`,
        target: '(the target is at equal settings)',
      },
    ];
  });
  // The equal-settings comparison: from kserve-peer.json when its run had --kserve-equal-settings, else
  // from the labelled kserve-peer files that did: one with the three runs the round's rules ask for before
  // a newer one with fewer, the newest among equals.
  const equalRuns = (name: string) => Math.min(3, num(at(files.get(name), 'equalSettings'), 'kserve', 'childrenExistSeconds', 'runs') ?? 1);
  const equalSource = [...files.keys()]
    .filter((name) => (name === 'kserve-peer' || name.startsWith('kserve-peer.')) && !name.includes('.quick') && at(files.get(name), 'equalSettings') !== undefined)
    .sort((a, b) =>
      a === 'kserve-peer' ? -1 : b === 'kserve-peer' ? 1 : equalRuns(b) - equalRuns(a) || (str(files.get(b), 'at') ?? '').localeCompare(str(files.get(a), 'at') ?? ''),
    )[0];
  if (equalSource !== undefined)
    add(equalSource, (f) => {
      const e = at(f, 'equalSettings');
      const models = num(f, 'kserve', 'inferenceServices') ?? '?';
      // How many runs the medians are over; a run stopped before its last repetition says so.
      const runs = num(e, 'kserve', 'childrenExistSeconds', 'runs');
      const planned = num(f, 'partial', 'runsPlanned');
      const runsText = runs === undefined ? '' : planned !== undefined ? `, ${runs} of ${planned} runs (stopped)` : `, ${runs} run${runs === 1 ? '' : 's'}`;
      const ratio = (who: string, what: string) => {
        const m = num(e, who, what, 'median');
        const k = num(e, 'kserve', what, 'median');
        return m !== undefined && k !== undefined ? m / k : undefined;
      };
      const rate = (who: string) => fixed(num(e, who, 'meanRequestsPerSecond', 'median'), 1);
      // The target is at equal effective request rate: the run at KServe's measured rate when there is one,
      // else (older files) the run at KServe's per-client settings.
      const hasRate = at(e, 'modelshipAtKServeRate') !== undefined;
      const rowOf = (who: string, figure: string, targeted: boolean): Omit<Row, 'source'> => {
        const [children, ready, cpu, rss] = ['childrenExistSeconds', 'readySeconds', 'cpuSeconds', 'rssFreshMiB'].map((w) => ratio(who, w));
        return {
          figure,
          measured: `${fixed(children, 2)}×; ${fixed(ready, 2)}×; ${fixed(cpu, 2)}×; ${fixed(rss, 2)}× (mean request rate ${rate(who)} / ${rate('kserve')} per s)`,
          target: targeted ? '≤ 0.8×; ≤ 0.8×; ≤ 1.0×; ≤ 1.0×' : hasRate ? '(the target is at equal request rate, next row)' : '',
          ...(targeted && children !== undefined && ready !== undefined && cpu !== undefined && rss !== undefined ? { met: children <= 0.8 && ready <= 0.8 && cpu <= 1 && rss <= 1 } : {}),
        };
      };
      const settings = at(e, 'modelshipAtKServeRate', 'settings');
      return [
        rowOf('modelshipAtKServeSettings', `KServe at equal client settings (modelship 20 QPS, burst 30, 1 at a time; ${models} models${runsText}): modelship / KServe time to children; to Ready; CPU; RSS`, !hasRate),
        ...(hasRate
          ? [rowOf('modelshipAtKServeRate', `KServe at equal request rate (modelship's one limiter at KServe's measured mean rate: ${typeof settings === 'string' ? settings : '?'}; ${models} models${runsText}): modelship / KServe time to children; to Ready; CPU; RSS`, true)]
          : []),
      ];
    });
  add('rollout-peers', (f) => {
    const controllers = at(f, 'controllers');
    const list = Array.isArray(controllers) ? (controllers as unknown[]) : [];
    const failed = (c: unknown, phase: string) => {
      const reps = at(c, 'repetitions');
      const all = Array.isArray(reps) ? (reps as unknown[]) : [];
      return { failed: all.reduce<number>((n, r) => n + (num(r, phase, 'failed') ?? 0), 0), requests: all.reduce<number>((n, r) => n + (num(r, phase, 'requests') ?? 0), 0) };
    };
    const ours = list.find((c) => str(c, 'controller') === 'modelship');
    const describe = (c: unknown) => {
      const p = failed(c, 'promotion');
      const a = failed(c, 'abort');
      return `${str(c, 'controller') ?? '?'} ${fixed(num(c, 'toFirstWeightSeconds', 'median'), 2)} / ${fixed(num(c, 'abortToStableSeconds', 'median'), 2)} s, ${p.failed + a.failed} of ${p.requests + a.requests} failed`;
    };
    const mine = ours === undefined ? undefined : failed(ours, 'promotion').failed + failed(ours, 'abort').failed;
    return [
      {
        figure: 'canary on one Traefik data path: spec change → first weight / abort → 100% stable, and requests failed under load during promotion and abort',
        measured: list.map(describe).join('; '),
        target: 'no request failed',
        ...(mine !== undefined ? { met: mine === 0 } : {}),
      },
    ];
  });
  add('control-plane-startup', (f) => [{ figure: 'test control plane start (warm cache)', measured: `${span(at(f, 'startSeconds'), 2, ' s')}`, target: '' }]);
  return out;
}

const cell = (s: string) => s.replaceAll('|', '\\|');

export function readmeSummary(files: ResultFiles): string {
  const table = rows(files);
  const machineFile = [...files.values()].find((f) => at(f, 'machine') !== undefined);
  const machine = machineFile === undefined ? 'unknown machine' : `${num(machineFile, 'machine', 'cores') ?? '?'} cores, ${num(machineFile, 'machine', 'memoryGiB') ?? '?'} GiB, ${str(machineFile, 'machine', 'cpuModel') ?? '?'}`;
  const lines = [
    `Every figure below comes from the named file under \`bench/results/\` (${machine}); \`npm run bench\` rewrites this table from them and \`npm run check:generated\` fails when it is stale.`,
    '',
    '| figure | measured | target | met | run (date, commit, load) | file |',
    '|---|---|---|---|---|---|',
    ...table.map((r) => `| ${cell(r.figure)} | ${cell(r.measured)} | ${cell(r.target)} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} | ${runOf(files.get(r.source))} | ${r.source}.json |`),
  ];
  return lines.join('\n');
}

export const SUMMARY_START = '<!-- bench-summary:start (generated from bench/results by bench/write-readme-summary.ts) -->';
export const SUMMARY_END = '<!-- bench-summary:end -->';

/** The README with its summary block replaced; undefined when the markers are missing. */
export function withSummary(readme: string, summary: string): string | undefined {
  const start = readme.indexOf(SUMMARY_START);
  const end = readme.indexOf(SUMMARY_END);
  if (start < 0 || end < start) return undefined;
  return `${readme.slice(0, start + SUMMARY_START.length)}\n${summary}\n${readme.slice(end)}`;
}
