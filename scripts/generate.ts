// Writes the files generated from src/: the ModelDeployment CRD, its copy in the Helm chart and
// docs/reasons.md.
// `--check` regenerates in memory and fails when a committed file is stale (CI runs it).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from '../src/api/crd/generated-files.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

async function readOrEmpty(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const [file, content] of generatedFiles()) {
    const path = join(repoRoot, file);
    const current = await readOrEmpty(path);
    if (current === content) continue;
    if (check) {
      stale.push(relative(repoRoot, path));
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    process.stdout.write(`wrote ${file} (${Buffer.byteLength(content)} bytes)\n`);
  }
  if (stale.length > 0) {
    process.stderr.write(
      `Generated files are stale (run \`npm run generate\` and commit the result):\n${stale.map((f) => `  ${f}`).join('\n')}\n`,
    );
    return 1;
  }
  if (check) process.stdout.write('generated files are up to date\n');
  return 0;
}

process.exitCode = await main();
