// A lock between processes: a folder created atomically, holding its owner's pid; a lock whose owner
// died is taken over.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { processAlive, readFileSafe } from './sweep.ts';

export async function withDirectoryLock<T>(
  lock: string,
  work: () => T | Promise<T>,
  options: { pollMs?: number; onWait?: (owner: number) => void } = {},
): Promise<T> {
  mkdirSync(dirname(lock), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      const owner = Number(readFileSafe(join(lock, 'pid')));
      if (owner && !processAlive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!announced) options.onWait?.(owner);
      announced = true;
      await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
