// The image's ENTRYPOINT, read from the Dockerfile: the command model pods run modelship's programs with
// (`fetch`, `agent`; the batch Job gives its runner a command of its own, RUNNER_COMMAND). The process
// runtime and the benchmarks use it, so they run what the image runs.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDockerfile } from '../unit/dockerfile/parse-dockerfile.ts';

const root = resolve(import.meta.dirname, '..', '..');

/** The runtime stage's ENTRYPOINT in exec form: node's path in the image, its flags, the script. */
export function imageEntrypoint(): string[] {
  const stages = parseDockerfile(readFileSync(resolve(root, 'Dockerfile'), 'utf8')).stages;
  const entrypoint = stages.at(-1)?.instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)?.exec;
  if (entrypoint === undefined || entrypoint.length < 2) throw new Error('the Dockerfile has no exec-form ENTRYPOINT');
  return [...entrypoint];
}

/** The Node flags of the image's ENTRYPOINT (between node and the script). */
export function imageEntrypointNodeFlags(): string[] {
  const flags: string[] = [];
  for (const word of imageEntrypoint().slice(1)) {
    if (!word.startsWith('-')) break;
    flags.push(word);
  }
  return flags;
}
