// `node bench/heap-summary.ts <file.heapsnapshot> [--top=30]`: where a V8 heap goes, from a heap
// snapshot (v8.writeHeapSnapshot, or node --heapsnapshot-signal=SIGUSR2): self sizes summed by node
// type and constructor (objects), or by type (strings, arrays, code, hidden classes...); --strings: strings
// by value, so copies of one value that could be shared show up.
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const [file] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: node bench/heap-summary.ts <file.heapsnapshot> [--top=30]');
const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice('--top='.length) ?? 30);
const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
const fields = snap.snapshot.meta.node_fields;
const types = snap.snapshot.meta.node_types[0];
const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
if (typeAt === undefined || nameAt === undefined || sizeAt === undefined || sizeAt < 0) throw new Error('unexpected snapshot layout');
const byValue = process.argv.includes('--strings');
const sums = new Map<string, { bytes: number; count: number }>();
let total = 0;
for (let i = 0; i < snap.nodes.length; i += fields.length) {
  const type = types[snap.nodes[i + typeAt] ?? 0] ?? '?';
  const size = snap.nodes[i + sizeAt] ?? 0;
  const key = byValue && type === 'string' ? `string ${JSON.stringify((snap.strings[snap.nodes[i + nameAt] ?? 0] ?? '').slice(0, 60))}` : type === 'object' || type === 'closure' ? `${type} ${snap.strings[snap.nodes[i + nameAt] ?? 0] ?? ''}` : type;
  const s = sums.get(key) ?? { bytes: 0, count: 0 };
  s.bytes += size;
  s.count++;
  sums.set(key, s);
  total += size;
}
const MiB = 2 ** 20;
console.log(`total ${(total / MiB).toFixed(1)} MiB`);
for (const [key, s] of [...sums].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
  console.log(`${(s.bytes / MiB).toFixed(2).padStart(8)} MiB ${String(s.count).padStart(9)} x ${Math.round(s.bytes / s.count).toString().padStart(6)} B  ${key}`);
}
