// `npm run tools:path`: builds what is missing (progress on stderr) and prints the binaries' folder.
import { ensureTools } from './tools.ts';

try {
  process.stdout.write(`${await ensureTools()}\n`);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
