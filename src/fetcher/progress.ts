// The progress line the fetcher writes to its container log every few seconds. Pure.

export const PROGRESS_INTERVAL_MS = 5000;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export interface ProgressState {
  readonly bytes: number;
  /** Bytes expected in all, when the source said. */
  readonly totalBytes?: number | undefined;
  readonly files: number;
  readonly totalFiles?: number | undefined;
  readonly elapsedMs: number;
}

export function progressLine(p: ProgressState): string {
  const seconds = Math.max(p.elapsedMs, 1) / 1000;
  const parts = [p.totalBytes !== undefined && p.totalBytes > 0
    ? `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)} (${((100 * p.bytes) / p.totalBytes).toFixed(1)}%)`
    : formatBytes(p.bytes)];
  parts.push(`${formatBytes(p.bytes / seconds)}/s`);
  parts.push(p.totalFiles !== undefined ? `${p.files} of ${p.totalFiles} files` : `${p.files} files`);
  parts.push(`${Math.round(seconds)}s`);
  return `modelship-fetch: progress ${parts.join(', ')}`;
}
