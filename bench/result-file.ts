// One JSON file per benchmark under bench/results: the figures with where, when and how they were
// measured. A quick run writes <name>.quick.json, so the full run's files stay (and --label=x adds .x).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, machineInfo, versions, type MachineInfo, type Versions } from './machine.ts';

export interface RunContext {
  readonly quick: boolean;
  readonly command: string;
  readonly resultsDir: string;
  /** Load when the run started (after waiting for a quiet machine, if asked). */
  readonly loadAtStart: ReturnType<typeof load>;
  readonly settings: Record<string, unknown>;
  readonly label?: string;
}

export interface Envelope {
  readonly name: string;
  readonly quick: boolean;
  readonly command: string;
  readonly at: string;
  readonly machine: MachineInfo;
  readonly load: { atRunStart: ReturnType<typeof load>; atWrite: ReturnType<typeof load> };
  readonly versions: Versions;
  readonly settings: Record<string, unknown>;
}

export function writeResult(ctx: RunContext, name: string, data: Record<string, unknown>): string {
  const envelope: Envelope = {
    name,
    quick: ctx.quick,
    command: ctx.command,
    at: new Date().toISOString(),
    machine: machineInfo(),
    load: { atRunStart: ctx.loadAtStart, atWrite: load() },
    versions: versions(),
    settings: ctx.settings,
  };
  const file = join(ctx.resultsDir, `${name}${ctx.quick ? '.quick' : ''}${ctx.label ? `.${ctx.label}` : ''}.json`);
  writeFileSync(file, `${JSON.stringify({ ...envelope, ...data }, null, 2)}\n`);
  return file;
}
