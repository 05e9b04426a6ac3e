// `npm run tools:path`: builds what is missing (progress on stderr) and prints the binaries' folder.
// `-- --control-plane` stops at what `npm run demo` and `npm run cluster` need (no helm, Traefik, ...).
import { ensureTools } from './tools.ts';

try {
  const set = process.argv.includes('--control-plane') ? 'control-plane' : 'all';
  process.stdout.write(`${await ensureTools(set)}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
