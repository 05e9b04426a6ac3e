// The Node flags `npm start` (and the image's ENTRYPOINT, kept equal by test/unit/dockerfile.test.ts)
// gives the operator, so tests, the demo and the benchmarks run the process users run.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export function startScriptNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const words = (pkg.scripts?.['start'] ?? '').split(/\s+/).filter(Boolean);
  if (words[0] !== 'node') throw new Error(`package.json's start script should run node, got: ${pkg.scripts?.['start']}`);
  const flags: string[] = [];
  for (const w of words.slice(1)) {
    if (!w.startsWith('-')) break;
    flags.push(w);
  }
  return flags;
}
