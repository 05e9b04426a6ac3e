// Resident memory of this process by mapping, from /proc/self/smaps: tells the V8 heap ([anon]) from
// malloc's main arena ([heap]) and the node binary.
import { readFileSync } from 'node:fs';

/** Resident MiB by mapping ([anon], [heap], the node binary...), largest first. */
export function smapsSummary(): string {
  const sums = new Map<string, number>();
  let mapping = '';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      mapping = head[1] || '[anon]';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) sums.set(mapping, (sums.get(mapping) ?? 0) + Number(rss[1]));
  }
  return [...sums]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, kB]) => `${k.split('/').pop() ?? k} ${(kB / 1024).toFixed(1)}`)
    .join(', ');
}

/** The process's peak RSS so far (VmHWM), in MiB. */
export function peakRssMiB(): number {
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return hwm ? Number(hwm[1]) / 1024 : 0;
}
