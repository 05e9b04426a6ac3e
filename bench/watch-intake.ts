// `node --optimize-for-size bench/watch-intake.ts [--count=1000] [--rounds=5] [--label=x]`: the CPU the
// operator spends taking in the watch events of N converging models, with no cluster and no network:
// each event's text parsed as the informer parses it, trimmed by the cache's transform, and compared with
// the copy it replaces (child-event-filter.ts), into a store. The text is a real API server's
// (test/fixtures/api-server-text: one model converged on Kubernetes 1.35), renamed and given new uids
// per model, in the mix of events one model's convergence brings (counted on 300 models: 16 of the
// 17.2 per model). Two ways of parsing alternate in one process, `whole` (JSON.parse of everything)
// and `cut` (the managedFields entries no cache keeps left out of the text, managed-fields-text.ts):
// in a converging operator the difference drowns in the run-to-run noise of the rest.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cachedChild, cachedModelDeployment, cachedPod, CHILD_MANAGED_FIELDS } from '../src/controller/cache-transforms.ts';
import { sameCachedContent } from '../src/controller/child-event-filter.ts';
import type { KubeObject } from '../src/kube/api-client.ts';
import { parseKubeJson, type ManagedFieldsKept } from '../src/kube/managed-fields-text.ts';
import { load } from './machine.ts';
import { writeResult } from './result-file.ts';
import { summarize } from './stats.ts';

const argv = process.argv.slice(2);
const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const count = Number(value('count') ?? 1000);
const rounds = Number(value('rounds') ?? 5);
const label = value('label');
const loadAtStart = load();

interface Kind {
  readonly file: string;
  /** The fixture's objects of the model (not the `kubernetes` Service). */
  readonly names: readonly string[];
  /** Events per model: one ADDED, then MODIFIED. */
  readonly events: number;
  readonly transform: (o: KubeObject) => KubeObject;
  readonly kept: ManagedFieldsKept;
  /** Whether an update is compared with the cached copy before it starts a reconcile (children and pods). */
  readonly compared: boolean;
}

const KINDS: readonly Kind[] = [
  { file: 'deployment-list', names: ['ranking-stable'], events: 3, transform: cachedChild, kept: CHILD_MANAGED_FIELDS, compared: true },
  { file: 'service-list', names: ['ranking', 'ranking-stable'], events: 1, transform: cachedChild, kept: CHILD_MANAGED_FIELDS, compared: true },
  { file: 'horizontal-pod-autoscaler-list', names: ['ranking-stable'], events: 2, transform: cachedChild, kept: CHILD_MANAGED_FIELDS, compared: true },
  { file: 'pod-disruption-budget-list', names: ['ranking-stable'], events: 3, transform: cachedChild, kept: CHILD_MANAGED_FIELDS, compared: true },
  { file: 'pod-list', names: ['ranking-stable-869c5dfd4c-rh4cn'], events: 3, transform: cachedPod, kept: 'none', compared: true },
  { file: 'model-deployment-list', names: ['ranking'], events: 3, transform: cachedModelDeployment, kept: 'none', compared: false },
];

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** One model's watch lines, per kind: the fixture objects renamed to `name`, each uid replaced by one of this model's own. */
function modelLines(name: string): { kind: Kind; lines: string[] }[] {
  const uids = new Map<string, string>();
  const own = (uid: string) => uids.get(uid) ?? (uids.set(uid, randomUUID()), uids.get(uid) ?? uid);
  return KINDS.map((kind) => {
    const list = JSON.parse(readFileSync(resolve(import.meta.dirname, `../test/fixtures/api-server-text/${kind.file}.json`), 'utf8')) as { items: KubeObject[] };
    const lines: string[] = [];
    for (const item of list.items.filter((i) => kind.names.includes(i.metadata?.name ?? ''))) {
      const text = JSON.stringify(item).replaceAll('ranking', name).replace(UUID, own);
      for (let e = 0; e < kind.events; e++) lines.push(`{"type":"${e === 0 ? 'ADDED' : 'MODIFIED'}","object":${text}}`);
    }
    return { kind, lines };
  });
}

const models = Array.from({ length: count }, (_, i) => modelLines(`m-${String(i).padStart(4, '0')}`));
let bytes = 0;
for (const m of models) for (const { lines } of m) for (const l of lines) bytes += l.length;

type Way = 'whole' | 'cut';

/** Takes in every model's events once; returns CPU seconds. */
function intake(way: Way): { cpuSeconds: number; reconciles: number } {
  const store = new Map<string, KubeObject>();
  let reconciles = 0;
  const started = process.cpuUsage();
  for (const m of models) {
    for (const { kind, lines } of m) {
      for (const line of lines) {
        const event = parseKubeJson(line, way === 'whole' ? 'all' : kind.kept) as { type: string; object: KubeObject };
        const obj = kind.transform(event.object);
        const key = `${kind.file}/${obj.metadata?.name ?? ''}`;
        const previous = store.get(key);
        store.set(key, obj);
        if (!kind.compared || previous === undefined || !sameCachedContent(previous, obj)) reconciles++;
      }
    }
  }
  const used = process.cpuUsage(started);
  return { cpuSeconds: (used.user + used.system) / 1e6, reconciles };
}

const byWay: Record<Way, number[]> = { whole: [], cut: [] };
const reconcilesByWay: Record<Way, number> = { whole: 0, cut: 0 };
intake('whole'); // warm-up: compiled code and the string table, for both
intake('cut');
for (let r = 0; r < rounds; r++) {
  for (const way of (r % 2 === 0 ? ['whole', 'cut'] : ['cut', 'whole']) as Way[]) {
    const { cpuSeconds, reconciles } = intake(way);
    byWay[way].push(cpuSeconds);
    reconcilesByWay[way] = reconciles;
    console.log(`round ${r + 1}: ${way} ${cpuSeconds.toFixed(3)} s`);
  }
}
const events = models.length * models[0]!.reduce((n, { lines }) => n + lines.length, 0);
const result = Object.fromEntries(
  (['whole', 'cut'] as Way[]).map((way) => [
    way,
    { cpuSeconds: summarize(byWay[way]), microsecondsPerEvent: summarize(byWay[way].map((s) => (s * 1e6) / events)), reconcilesStarted: reconcilesByWay[way] },
  ]),
);
const file = writeResult(
  {
    quick: false,
    command: `node ${process.execArgv.join(' ')} bench/watch-intake.ts ${argv.join(' ')}`.replace(/\s+/g, ' '),
    resultsDir: resolve(import.meta.dirname, 'results'),
    loadAtStart,
    settings: { count, rounds, events, megabytes: Math.round(bytes / 1e5) / 10, nodeFlags: process.execArgv },
    ...(label ? { label } : {}),
  },
  'watch-intake',
  result,
);
console.log(JSON.stringify(result, null, 1));
console.log(`written ${file}`);
