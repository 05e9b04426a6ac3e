// `node bench/converge-cpu.ts [--count=300] [--runs=2] [--entries="before=.local/before/src/main.ts;after=src/main.ts --max-semi-space-size=8"]
// [--settings=50/100/4] [--profile] [--alloc-profile] [--label=x]`: operator CPU seconds to converge N ModelDeployments
// created at once, for several versions of the operator (entry points), alternating on fresh control planes
// (group-modelship-converge.ts), for before/after figures of a CPU change. Writes
// bench/results/converge-cpu[.label].json. --profile writes V8 CPU profiles (bench/cpuprofile-top.ts reads
// them), --alloc-profile sampled allocations (bench/allocation-sampler.ts, read by bench/heapprofile-top.ts),
// both to each entry's .local/bench-profiles.
import { join, resolve } from 'node:path';
import { ensureTools } from '../test/cluster/tools.ts';
import { startScriptNodeFlags } from '../test/cluster/start-script-flags.ts';
import { runModelshipConverge, type ClientSettings, type ModelshipConvergeResult } from './group-modelship-converge.ts';
import { load, versions } from './machine.ts';
import { defaultOperatorSettings, warmCompileCache } from './operator-runner.ts';
import { writeResult } from './result-file.ts';
import { summarize } from './stats.ts';

const argv = process.argv.slice(2);
const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const count = Number(value('count') ?? 300);
const runs = Number(value('runs') ?? 2);
// `name=entry [node flags...]`: the flags go after the start script's (a later V8 flag wins: `--no-optimize-for-size`).
const entries = (value('entries') ?? 'after=src/main.ts').split(';').map((e) => {
  const [entry = '', ...flags] = e.slice(e.indexOf('=') + 1).trim().split(/\s+/);
  return { name: e.slice(0, e.indexOf('=')), entry, flags };
});
const defaults = defaultOperatorSettings();
const [qps, burst, concurrency] = (value('settings') ?? `${defaults.kubeApiQps}/${defaults.kubeApiBurst}/${defaults.concurrency}`).split('/').map(Number);
const settings: ClientSettings = { qps: qps ?? defaults.kubeApiQps, burst: burst ?? defaults.kubeApiBurst, concurrency: concurrency ?? defaults.concurrency };
const nodeFlags = [
  ...(argv.includes('--profile') ? ['--cpu-prof', '--cpu-prof-dir=.local/bench-profiles'] : []),
  ...(argv.includes('--alloc-profile') ? [`--import=${resolve(import.meta.dirname, 'allocation-sampler.ts')}`] : []),
];
const started = performance.now();
const log = (m: string) => process.stderr.write(`[converge-cpu ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
const loadAtStart = load();

versions();
await ensureTools();
for (const { entry } of entries) warmCompileCache(entry);
const results = new Map<string, ModelshipConvergeResult[]>(entries.map((e) => [e.name, []]));
for (let run = 1; run <= runs; run++) {
  for (const { name, entry, flags } of run % 2 ? entries : [...entries].reverse()) {
    log(`run ${run}/${runs}: ${name} (${[entry, ...flags].join(' ')})`);
    const r = await runModelshipConverge({ count, nodes: Math.ceil((count * 1.2) / 110) + 1, settings, launch: { nodeFlags: [...flags, ...nodeFlags], entry }, settleMs: 4000, name: `modelship-${name}` }, log);
    log(`${name}: CPU ${r.cpuSeconds} s, children ${r.create.childrenExistSeconds.toFixed(1)} s, Ready ${r.create.readySeconds.toFixed(1)} s, ${r.create.counters.controllerBudget?.requests ?? '?'} requests`);
    results.get(name)?.push(r);
  }
}
const byEntry = Object.fromEntries(
  entries.map(({ name, entry, flags }) => {
    const rs = results.get(name) ?? [];
    return [
      name,
      {
        entry,
        nodeFlags: flags,
        cpuSeconds: summarize(rs.map((r) => r.cpuSeconds)),
        childrenExistSeconds: summarize(rs.map((r) => r.create.childrenExistSeconds)),
        readySeconds: summarize(rs.map((r) => r.create.readySeconds)),
        requests: summarize(rs.map((r) => r.create.counters.controllerBudget?.requests ?? NaN)),
        reconciles: summarize(rs.map((r) => Object.values(r.create.counters.reconciles ?? {}).reduce((a, b) => a + b, 0))),
        rssConvergedMiB: summarize(rs.map((r) => r.rssConvergedMiB)),
        rssFreshMiB: summarize(rs.map((r) => r.rssFreshMiB)),
        runs: rs,
      },
    ];
  }),
);
const file = writeResult(
  {
    quick: false,
    command: `node bench/converge-cpu.ts ${argv.join(' ')}`.trim(),
    resultsDir: join(import.meta.dirname, 'results'),
    loadAtStart,
    settings: { count, runs, settings, nodeFlags: [...startScriptNodeFlags(), ...nodeFlags] },
    ...(value('label') ? { label: value('label') } : {}),
  },
  'converge-cpu',
  { byEntry },
);
for (const [name, r] of Object.entries(byEntry)) log(`${name}: CPU ${r.cpuSeconds.median} s (${r.cpuSeconds.min}–${r.cpuSeconds.max}), reconciles ${r.reconciles.median}, requests ${r.requests.median}, RSS converged ${r.rssConvergedMiB.median} MiB, fresh ${r.rssFreshMiB.median} MiB`);
log(`wrote ${file}`);
