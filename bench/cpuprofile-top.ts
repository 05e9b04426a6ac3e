// `node bench/cpuprofile-top.ts <file.cpuprofile>... [--top=N]`: the functions with the most self time
// in V8 CPU profiles (e.g. from `npm run bench -- --profile`), summed over the files, and the split
// between modelship's own code (src/), its dependencies, Node's internals and V8 (GC, idle, program).
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
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

if (import.meta.main) {
  const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 30);
  const root = process.cwd();
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  for (const file of files) {
    const t = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as Profile, root);
    for (const [k, v] of t.byFunction) byFunction.set(k, (byFunction.get(k) ?? 0) + v);
    for (const [k, v] of t.byOrigin) byOrigin.set(k, (byOrigin.get(k) ?? 0) + v);
  }
  const total = [...byOrigin.values()].reduce((a, b) => a + b, 0);
  const busy = total - (byOrigin.get('(idle)') ?? 0);
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  const rows = (m: Map<string, number>, n: number) => [...m].filter(([k]) => k !== '(idle)' && !k.startsWith('(idle) ')).sort((a, b) => b[1] - a[1]).slice(0, n);
  process.stdout.write(`${files.length} profile(s); ${(busy / 1e6).toFixed(1)} s not idle (shares below are of that)\n\nby origin:\n`);
  for (const [k, v] of rows(byOrigin, 20)) process.stdout.write(`${pct(v)} ${(v / 1e6).toFixed(2).padStart(7)} s  ${k}\n`);
  process.stdout.write(`\ntop ${top} functions by self time:\n`);
  for (const [k, v] of rows(byFunction, top)) process.stdout.write(`${pct(v)} ${(v / 1e6).toFixed(2).padStart(7)} s  ${k}\n`);
}
