// `npm run bench [-- --quick]`: runs the benchmarks against the real control plane and writes
// bench/results/<name>.json plus a summary table. Figures are never asserted in tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchControlPlaneStartup } from './control-plane-startup.ts';
import { machineInfo } from './machine.ts';
import { ensureTools } from '../test/cluster/tools.ts';

const quick = process.argv.includes('--quick');
const resultsDir = join(import.meta.dirname, 'results');
mkdirSync(resultsDir, { recursive: true });

await ensureTools();
const startup = await benchControlPlaneStartup(quick ? 3 : 10);
const file = join(resultsDir, `${startup.name}.json`);
writeFileSync(file, `${JSON.stringify({ ...startup, machine: machineInfo(), quick, at: new Date().toISOString() }, null, 2)}\n`);

const row = (label: string, s: { min: number; median: number; max: number; runs: number }) =>
  `| ${label} | ${s.min.toFixed(2)} | ${s.median.toFixed(2)} | ${s.max.toFixed(2)} | ${s.runs} |`;
process.stdout.write(
  [
    '| benchmark | min s | median s | max s | runs |',
    '|---|---|---|---|---|',
    row('control plane start (warm cache)', startup.startSeconds),
    row('control plane stop', startup.stopSeconds),
    '',
    `written: ${file}`,
    '',
  ].join('\n'),
);
