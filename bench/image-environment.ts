// The environment the image gives the operator (ENV of the Dockerfile's last stage), so the benchmark's
// operator processes run as the image runs them. NODE_COMPILE_CACHE is left out: the benchmark warms a
// cache of its own the way the image's build does (operator-runner.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDockerfile } from '../test/unit/dockerfile/parse-dockerfile.ts';
import { shellWords } from '../test/unit/dockerfile/shell-words.ts';

export function imageEnvironment(): Record<string, string> {
  const dockerfile = parseDockerfile(readFileSync(resolve(import.meta.dirname, '..', 'Dockerfile'), 'utf8'));
  const runtime = dockerfile.stages.at(-1);
  const env: Record<string, string> = {};
  for (const ins of runtime?.instructions ?? []) {
    if (ins.keyword !== 'ENV') continue;
    for (const word of shellWords(ins.args)) {
      const eq = word.indexOf('=');
      if (eq > 0) env[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  delete env['NODE_COMPILE_CACHE'];
  return env;
}
