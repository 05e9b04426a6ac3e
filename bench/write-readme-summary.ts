// `node bench/write-readme-summary.ts [--check]`: rewrites README's Performance summary from the result
// files (bench/results/<name>.json; see readme-summary.ts for the few labelled runs it reads). With
// --check it only says whether the README is current (npm run check:generated).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readmeSummary, withSummary, SUMMARY_END, SUMMARY_START } from './readme-summary.ts';

const root = resolve(import.meta.dirname, '..');
const resultsDir = join(import.meta.dirname, 'results');
const readmePath = join(root, 'README.md');

export function writeReadmeSummary(check: boolean): { ok: boolean; message: string } {
  const files = new Map<string, unknown>();
  for (const name of readdirSync(resultsDir).sort()) {
    // Rows read <name>.json (the full runs); a few read a labelled run (<name>.<label>.json) by name.
    const match = /^([a-z0-9.-]+)\.json$/.exec(name);
    if (match?.[1]) files.set(match[1], JSON.parse(readFileSync(join(resultsDir, name), 'utf8')) as unknown);
  }
  const readme = readFileSync(readmePath, 'utf8');
  const updated = withSummary(readme, readmeSummary(files));
  if (updated === undefined) return { ok: false, message: `README.md lacks the summary markers:\n${SUMMARY_START}\n${SUMMARY_END}` };
  if (updated === readme) return { ok: true, message: 'README performance summary is up to date' };
  if (check) return { ok: false, message: 'README performance summary is stale (run `node bench/write-readme-summary.ts` and commit the result)' };
  writeFileSync(readmePath, updated);
  return { ok: true, message: 'wrote the README performance summary' };
}

if (import.meta.main) {
  const { ok, message } = writeReadmeSummary(process.argv.includes('--check'));
  (ok ? process.stdout : process.stderr).write(`${message}\n`);
  process.exitCode = ok ? 0 : 1;
}
