// `node bench/cpuprofile-top.ts <file.cpuprofile>... [--top=N] [--inclusive=name,name@path,...]`: the
// functions with the most self time in V8 CPU profiles (e.g. from `npm run bench -- --profile`), summed
// over the files, and the split between modelship's own code (src/), its dependencies, Node's internals
// and V8 (GC, idle, program); with --inclusive, the time of the named functions with all they called
// (`name@path` when the name alone is ambiguous: `reconcile@controller/reconcile.ts`).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** PURE: microseconds of self time per function ("name url:line") and per origin. */
export function selfTimes(profile: Profile, root: string): { byFunction: Map<string, number>; byOrigin: Map<string, number> } {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    // A sample's time is the delta to the next one.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const frame = nodes.get(id)?.callFrame;
    if (!frame) return;
    const url = frame.url.replace(`file://${root}/`, '');
    const key = `${frame.functionName || '(anonymous)'} ${url}${url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const origin = url.startsWith('src/') ? 'modelship (src/)' : url.includes('node_modules/') ? 'dependencies' : url.startsWith('node:') ? 'Node internals' : url ? 'other scripts' : frame.functionName;
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + us);
  });
  return { byFunction, byOrigin };
}

/**
 * PURE: microseconds of the samples with each named function anywhere on their stack (counted once per
 * sample, however often it recurs), not counting idle samples. A name is a function's name, or
 * `name@path` to also match a part of its script's URL.
 */
export function inclusiveTimes(profile: Profile, names: readonly string[]): Map<string, number> {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const wanted = names.map((name) => {
    const [fn = '', path] = name.split('@');
    return { name, matches: (f: ProfileNode['callFrame']) => f.functionName === fn && (path === undefined || f.url.includes(path)) };
  });
  const out = new Map<string, number>(names.map((n) => [n, 0]));
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (nodes.get(id)?.callFrame.functionName === '(idle)') return;
    const found = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const frame = nodes.get(n)?.callFrame;
      if (frame) for (const w of wanted) if (!found.has(w.name) && w.matches(frame)) found.add(w.name);
    }
    for (const name of found) out.set(name, (out.get(name) ?? 0) + us);
  });
  return out;
}

if (import.meta.main) {
  const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 30);
  const inclusive = process.argv.find((a) => a.startsWith('--inclusive='))?.slice(12).split(',').filter(Boolean) ?? [];
  const root = process.cwd();
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  const byName = new Map<string, number>();
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const t = selfTimes(profile, root);
    for (const [k, v] of t.byFunction) byFunction.set(k, (byFunction.get(k) ?? 0) + v);
    for (const [k, v] of t.byOrigin) byOrigin.set(k, (byOrigin.get(k) ?? 0) + v);
    for (const [k, v] of inclusiveTimes(profile, inclusive)) byName.set(k, (byName.get(k) ?? 0) + v);
  }
  const total = [...byOrigin.values()].reduce((a, b) => a + b, 0);
  const busy = total - (byOrigin.get('(idle)') ?? 0);
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  const rows = (m: Map<string, number>, n: number) => [...m].filter(([k]) => k !== '(idle)' && !k.startsWith('(idle) ')).sort((a, b) => b[1] - a[1]).slice(0, n);
  process.stdout.write(`${files.length} profile(s); ${(busy / 1e6).toFixed(1)} s not idle (shares below are of that)\n\nby origin:\n`);
  for (const [k, v] of rows(byOrigin, 20)) process.stdout.write(`${pct(v)} ${(v / 1e6).toFixed(2).padStart(7)} s  ${k}\n`);
  process.stdout.write(`\ntop ${top} functions by self time:\n`);
  for (const [k, v] of rows(byFunction, top)) process.stdout.write(`${pct(v)} ${(v / 1e6).toFixed(2).padStart(7)} s  ${k}\n`);
  if (inclusive.length) process.stdout.write('\ninclusive (with all they called):\n');
  for (const [k, v] of byName) process.stdout.write(`${pct(v)} ${(v / 1e6).toFixed(2).padStart(7)} s  ${k}\n`);
}
