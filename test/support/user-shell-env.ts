// The environment of a user's own shell, for tests of commands a person types: the PATH without npm's
// node_modules/.bin folders and without the pinned Node 24 that runs the tests, so `node` and `npx` are
// the machine's own (Node 20 here), and none of the npm_* variables an npm script inherits.
import { dirname, sep } from 'node:path';

export function userShellEnv(extraPathFirst: readonly string[] = []): NodeJS.ProcessEnv {
  const pinnedNodeDir = dirname(process.execPath);
  const path = (process.env.PATH ?? '')
    .split(':')
    .filter((p) => p !== '' && !p.includes(`${sep}node_modules${sep}`) && p !== pinnedNodeDir);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith('npm_') && k !== 'NODE' && k !== 'INIT_CWD') env[k] = v;
  }
  env.PATH = [...extraPathFirst, ...path].join(':');
  return env;
}
