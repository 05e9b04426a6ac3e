// `node bench/memory-sweep.ts [--count=1000] [--variants="a;b"] [--label=x]`: operator RSS with N converged
// ModelDeployments cached, for several Node flag sets on one control plane (a fresh operator per set),
// to choose the flags `npm start` runs with. Writes bench/results/memory-sweep.json.
// Each variant is the node flags after `npm start`'s own (later flags win), "" = exactly `npm start`;
// NAME=value words are environment variables for the operator (e.g. MALLOC_ARENA_MAX=2; NAME= unsets one
// the image sets); entry=<path>
// runs another copy of the operator (e.g. `git archive <commit> src | tar -x -C .local/before` and
// entry=.local/before/src/main.ts), for before/after figures on one control plane.
import { join } from 'node:path';
import { ensureTools } from '../test/cluster/tools.ts';
import { startBenchCluster, userOf } from './bench-cluster.ts';
import { createAtOnce } from './convergence.ts';
import { imageEnvironment } from './image-environment.ts';
import { load, versions } from './machine.ts';
import { measureMemory, type MemoryLevel } from './memory.ts';
import { Observer } from './observer.ts';
import { startOperator, warmCompileCache } from './operator-runner.ts';
import { writeResult } from './result-file.ts';
import { startScriptNodeFlags } from '../test/cluster/start-script-flags.ts';
import { modelDeploymentKind, namespacesOf, placements } from './workload.ts';

const argv = process.argv.slice(2);
const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const count = Number(value('count') ?? 1000);
const variants = (value('variants') ?? ';--max-semi-space-size=1;--max-semi-space-size=2;--max-semi-space-size=4;--max-semi-space-size=8').split(';');
const started = performance.now();
const log = (m: string) => process.stderr.write(`[sweep ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}\n`);
const loadAtStart = load();

versions(); // the commit and versions that run, recorded before anything else
await ensureTools();
warmCompileCache();
const cluster = await startBenchCluster({ nodes: Math.ceil((count * 1.2) / 110) + 1 });
const results: { nodeFlags: string[]; env: Record<string, string>; entry?: string; level: MemoryLevel }[] = [];
try {
  const list = placements('bench', count);
  await cluster.createNamespaces(namespacesOf(list));
  const kubeconfig = await cluster.kubeconfigFor('modelship');
  const user = userOf('modelship');
  const operator = await startOperator({ kubeconfig, dir: cluster.dir, name: 'modelship', nodeFlags: [] });
  const observer = new Observer(cluster.kc, cluster.client);
  log(`creating ${count} ModelDeployments`);
  const created = await createAtOnce(cluster, observer, modelDeploymentKind, list, 30 * 60_000);
  log(`Ready in ${created.readySeconds.toFixed(1)} s`);
  await observer.stop();
  await operator.stop();
  for (const variant of variants) {
    const words = variant.split(' ').filter(Boolean);
    const entry = words.find((w) => w.startsWith('entry='))?.slice('entry='.length);
    const rest = words.filter((w) => !w.startsWith('entry='));
    const env = Object.fromEntries(rest.filter((w) => /^[A-Z_]+=/.test(w)).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
    const nodeFlags = rest.filter((w) => !/^[A-Z_]+=/.test(w));
    if (entry) warmCompileCache(entry);
    const [level] = (await measureMemory(cluster, kubeconfig, user, { nodeFlags, env, ...(entry ? { entry } : {}) }, [{ modelDeployments: count, namespaces: [] }], 10_000, log)).levels;
    if (level) results.push({ nodeFlags: [...startScriptNodeFlags(), ...nodeFlags], env, ...(entry ? { entry } : {}), level });
  }
} finally {
  await cluster.stop();
}
const file = writeResult(
  {
    quick: false,
    command: `node bench/memory-sweep.ts ${argv.join(' ')}`.trim(),
    resultsDir: join(import.meta.dirname, 'results'),
    loadAtStart,
    settings: { count, startScriptNodeFlags: startScriptNodeFlags(), imageEnvironment: imageEnvironment() },
    ...(value('label') ? { label: value('label') } : {}),
  },
  'memory-sweep',
  { results },
);
for (const r of results) {
  const what = [...(r.entry ? [`entry=${r.entry}`] : []), ...Object.entries(r.env).map(([k, v]) => `${k}=${v}`), ...r.nodeFlags].join(' ') || '(none)';
  log(`${what}: RSS ${r.level.rssMiB} MiB, heap used ${r.level.heapUsedMiB} / total ${r.level.heapTotalMiB} MiB, external ${r.level.externalMiB} MiB, ${r.level.cachedObjects} objects`);
}
log(`wrote ${file}`);
