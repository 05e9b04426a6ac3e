#!/usr/bin/env node
// The modelship CLI (also `kubectl modelship` when linked as kubectl-modelship). It needs Node >= 24, which
// runs the TypeScript sources directly. Started by an older Node (the machine's, as kubectl or npm may do),
// it runs itself again on the Node 24 this checkout pins (the `node` dev dependency), with the same
// arguments, streams and exit code, so the user sees only the command's own output.
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  await import('../src/cli/main.ts');
} else {
  const checkout = dirname(dirname(realpathSync(fileURLToPath(import.meta.url))));
  const pinned = join(checkout, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(pinned)) {
    process.stderr.write(`modelship needs Node >= 24 (this is ${process.version}); run npm ci in ${checkout} to get the pinned Node 24\n`);
    process.exit(1);
  }
  const result = spawnSync(pinned, [join(checkout, 'bin', 'modelship.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (result.error) {
    process.stderr.write(`modelship: could not start ${pinned}: ${result.error.message}\n`);
    process.exit(1);
  }
  if (result.signal) process.kill(process.pid, result.signal);
  process.exit(result.status ?? 1);
}
