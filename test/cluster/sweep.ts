// Cleans up after a test process that died without stopping its control plane (kill -9, OOM):
// every control-plane folder records its owner's pid and its components' pids.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function writeOwnerFile(dir: string): void {
  writeFileSync(join(dir, 'owner'), String(process.pid));
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function sweepAbandonedControlPlanes(): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith('modelship-cp-')) continue;
    const dir = join(tmpdir(), entry);
    const owner = Number(readFileSafe(join(dir, 'owner')));
    if (!owner || processAlive(owner)) continue;
    const pids = readFileSafe(join(dir, 'pids')).split('\n').map(Number).filter(Boolean);
    // Only kill a pid whose command line still names this folder: pids get reused.
    for (const pid of pids) {
      if (readFileSafe(`/proc/${pid}/cmdline`).includes(dir)) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
