// `node bench/scale.ts [--counts=1000,3000,10000] [--qps=N] [--burst=N] [--concurrency=N] [--component-qps=200]
// [--changes=100] [--rest-minutes=2] [--label=x] [--keep-levels]`: the operator at growing numbers of ModelDeployments. Per count, on
// fresh control planes: the throughput group (all created at once → children, Ready; spec changes; the
// converged operator at rest through an API-server restart; a fresh operator's RSS with everything cached)
// and the floor with the same client settings; then how time, CPU and memory per ModelDeployment move from
// level to level (scale-growth.ts). Writes bench/results/scale.json; with --keep-levels the previous file's
// levels for other counts stay in it (same settings only), each marked with when and where it ran. Long: hours at 10,000 with the
// default 50 QPS, so it is not part of `npm run bench`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTools } from '../test/cluster/tools.ts';
import { startScriptNodeFlags } from '../test/cluster/start-script-flags.ts';
import { runFloorGroup, type FloorGroupResult } from './group-floor.ts';
import { runThroughputGroup, type ThroughputGroupResult } from './group-throughput.ts';
import { imageEnvironment } from './image-environment.ts';
import { load, versions } from './machine.ts';
import { defaultOperatorSettings, warmCompileCache } from './operator-runner.ts';
import { writeResult } from './result-file.ts';
import { scaleGrowth, type ScaleLevel } from './scale-growth.ts';
import { keptLevels, type MeasuredRun, type PreviousScaleResult } from './scale-merge.ts';
import { scriptFlags } from './script-flags.ts';

const { argv, value, positive } = scriptFlags();
const counts = (value('counts') ?? '1000,3000,10000').split(',').map(Number);
if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--counts: whole numbers above 0, e.g. 1000,3000,10000`);
const defaults = defaultOperatorSettings();
const settings = { qps: positive('qps', defaults.kubeApiQps), burst: positive('burst', defaults.kubeApiBurst), concurrency: positive('concurrency', defaults.concurrency) };
// kube-controller-manager and kube-scheduler at their default 20/50 QPS need over 40 min to give 10,000
// Deployments pods, which would measure them, not the operator: a platform of that size raises them too.
const componentQps = positive('component-qps', 200);
const changes = positive('changes', 100);
const restMinutes = positive('rest-minutes', 2);
const label = value('label');
const resultsDir = join(import.meta.dirname, 'results');
const resultFile = join(resultsDir, `scale${label ? `.${label}` : ''}.json`);
const kept =
  argv.includes('--keep-levels') && existsSync(resultFile)
    ? keptLevels<ScaleLevel>(JSON.parse(readFileSync(resultFile, 'utf8')) as PreviousScaleResult, { counts, client: settings, componentQps })
    : { levels: [], runs: [] };

const started = performance.now();
const log = (m: string) => process.stderr.write(`[scale ${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s] ${m}\n`);
const loadAtStart = load();
versions();
await ensureTools();
warmCompileCache();
// The operator reads its client settings from the environment (src/config.ts), as a Deployment sets them.
const launch = {
  nodeFlags: [],
  env: { MODELSHIP_KUBE_API_QPS: String(settings.qps), MODELSHIP_KUBE_API_BURST: String(settings.burst), MODELSHIP_CONCURRENCY: String(settings.concurrency) },
};

const runs: (MeasuredRun | { count: number; measured: MeasuredRun['measured']; operator: ThroughputGroupResult; floor: FloorGroupResult })[] = [...kept.runs];
const levels: ScaleLevel[] = [...kept.levels];
const byCount = <T,>(get: (x: T) => number) => (a: T, b: T) => get(a) - get(b);
// Written after every level, so a long run that fails at 10,000 keeps what the smaller counts measured.
const write = () =>
  writeResult(
    {
      quick: false,
      command: `node bench/scale.ts ${argv.join(' ')}`.trim(),
      resultsDir,
      loadAtStart,
      settings: { counts: [...new Set([...counts, ...levels.map((l) => l.modelDeployments)])].sort((a, b) => a - b), client: settings, componentQps, changes, restMinutes, startScriptNodeFlags: startScriptNodeFlags(), imageEnvironment: imageEnvironment() },
      ...(label ? { label } : {}),
    },
    'scale',
    { levels: [...levels].sort(byCount((l) => l.modelDeployments)), growth: scaleGrowth(levels), runs: [...runs].sort(byCount((r) => r.count)) },
  );

for (const count of counts.sort((a, b) => a - b)) {
  const nodes = Math.ceil((count * 1.2) / 110) + 1;
  log(`${count} ModelDeployments on ${nodes} simulated nodes`);
  const operator = await runThroughputGroup({ count, changes: Math.min(changes, count), nodes, componentQps, restMs: restMinutes * 60_000, settleMs: 10_000, launch, throughputOnly: false }, log);
  const floor = await runFloorGroup({ count, changes: Math.min(changes, count), nodes, componentQps, settings }, log);
  runs.push({ count, measured: { at: new Date().toISOString(), commit: versions().commit, command: `node bench/scale.ts ${argv.join(' ')}`.trim() }, operator, floor });
  const fresh = operator.memory?.levels.at(-1);
  levels.push({
    modelDeployments: count,
    childrenExistSeconds: operator.create.childrenExistSeconds,
    readySeconds: operator.create.readySeconds,
    floorChildrenExistSeconds: floor.create.childrenExistSeconds,
    operatorCpuSeconds: operator.create.operatorCpuSeconds,
    freshRssMiB: fresh?.rssMiB ?? NaN,
    cachedObjects: fresh?.cachedObjects ?? 0,
  });
  log(
    `${count}: children ${operator.create.childrenExistSeconds.toFixed(1)} s (floor ${floor.create.childrenExistSeconds.toFixed(1)} s), Ready ${operator.create.readySeconds.toFixed(1)} s, ` +
      `CPU ${operator.create.operatorCpuSeconds} s, writes at rest ${operator.rest?.operatorWrites}, fresh RSS ${fresh?.rssMiB} MiB`,
  );
  log(`wrote ${write()}`);
}
log(`growth: ${JSON.stringify(scaleGrowth(levels))}`);
