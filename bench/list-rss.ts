// `node --expose-gc --optimize-for-size bench/list-rss.ts <lists.json> [--direct]`: the RSS a process keeps
// after reading large list answers the way the informers' first lists do (fetch, res.text(), JSON.parse,
// the caches' transforms), with no cluster. The lists come from `node --expose-gc bench/cache-heap.ts
// --count=N --dump-lists=<lists.json>` and are served from a local HTTP server in this process; --direct
// parses them without HTTP. Run it under different malloc settings (e.g. MALLOC_ARENA_MAX=2
// MALLOC_TRIM_THRESHOLD_=131072 MALLOC_MMAP_THRESHOLD_=131072) to see what glibc keeps: the summary of
// /proc/self/smaps tells the V8 heap ([anon]) from malloc's main arena ([heap]) and the node binary.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cachedChild, cachedEndpointSlice, cachedModelDeployment, cachedPod } from '../src/controller/cache-transforms.ts';
import type { KubeObject } from '../src/kube/api-client.ts';
import { smapsSummary } from './smaps-summary.ts';

const argv = process.argv.slice(2);
const file = argv.find((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: node --expose-gc bench/list-rss.ts <lists.json> [--direct]');
const direct = argv.includes('--direct');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const lists = JSON.parse(readFileSync(file, 'utf8')) as string[];
const MiB = 2 ** 20;
const figures = () => {
  const m = process.memoryUsage();
  return `RSS ${(m.rss / MiB).toFixed(1)} MiB, heap used ${(m.heapUsed / MiB).toFixed(1)} / total ${(m.heapTotal / MiB).toFixed(1)} MiB, external ${(m.external / MiB).toFixed(1)} MiB`;
};

function transform(obj: KubeObject): KubeObject {
  if (obj.kind === 'Pod') return cachedPod(obj);
  if (obj.kind === 'EndpointSlice') return cachedEndpointSlice(obj);
  if (obj.kind === 'ModelDeployment') return cachedModelDeployment(obj);
  return cachedChild(obj);
}

gc();
console.log(`start: ${figures()} (the lists' text is in the heap)`);
const server = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(lists[Number(req.url?.slice(1))]);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const kept: KubeObject[] = [];
for (let i = 0; i < lists.length; i++) {
  const text = direct ? (lists[i] ?? '{}') : await (await fetch(`http://127.0.0.1:${port}/${i}`)).text();
  for (const item of (JSON.parse(text) as { items: KubeObject[] }).items) kept.push(transform(item));
}
server.close();
for (let i = 0; i < 6; i++) {
  gc();
  await new Promise((r) => setTimeout(r, 2000));
}
console.log(`idle, ${kept.length} objects cached: ${figures()}`);
console.log(`resident MiB by mapping: ${smapsSummary()}`);
