// `node bench/heapprofile-top.ts <file.heapprofile>... [--top=N] [--root=DIR]`: where a process allocated, from V8
// sampling heap profiles (bench/allocation-sampler.ts, `bench/converge-cpu.ts --alloc-profile`): bytes per
// function by itself and with all it called, summed over the files. What the young generation's
// collections cost grows with these bytes. --root: the profiled process's working directory (default this one's),
// left out of the paths.
import { readFileSync } from 'node:fs';

interface HeapNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}

export interface HeapProfile {
  readonly head: HeapNode;
}

/** PURE: sampled bytes per function ("name path:line"), by itself and with its callees (a recursive function counted once per sample). */
export function allocations(profile: HeapProfile, root: string): { total: number; self: Map<string, number>; inclusive: Map<string, number> } {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
  const walk = (node: HeapNode, stack: readonly string[]): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${url.replace(`file://${root}/`, '') || '(native)'}:${lineNumber + 1}`;
    const path = stack.includes(name) ? stack : [...stack, name];
    total += node.selfSize;
    add(self, name, node.selfSize);
    for (const f of path) add(inclusive, f, node.selfSize);
    for (const child of node.children) walk(child, path);
  };
  walk(profile.head, []);
  return { total, self, inclusive };
}

function main(): void {
  const args = process.argv.slice(2);
  const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 30);
  const root = args.find((a) => a.startsWith('--root='))?.slice(7) ?? process.cwd();
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length === 0) throw new Error('usage: node bench/heapprofile-top.ts <file.heapprofile>... [--top=N] [--root=DIR]');
  const sum = { total: 0, self: new Map<string, number>(), inclusive: new Map<string, number>() };
  for (const file of files) {
    const one = allocations(JSON.parse(readFileSync(file, 'utf8')) as HeapProfile, root);
    sum.total += one.total;
    for (const key of ['self', 'inclusive'] as const) for (const [k, v] of one[key]) sum[key].set(k, (sum[key].get(k) ?? 0) + v);
  }
  const mib = (b: number) => (b / 1048576).toFixed(1).padStart(8);
  const pct = (b: number) => `${((100 * b) / sum.total).toFixed(1).padStart(5)}%`;
  console.log(`${mib(sum.total)} MiB sampled in ${files.length} file(s)`);
  for (const key of ['self', 'inclusive'] as const) {
    console.log(`\n${key === 'self' ? 'by itself' : 'with its callees'}:`);
    for (const [name, bytes] of [...sum[key]].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${mib(bytes)} MiB ${pct(bytes)}  ${name}`);
  }
}

if (import.meta.main) main();
