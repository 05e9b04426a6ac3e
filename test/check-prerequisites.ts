// `npm test`'s first step: stops with one line per missing prerequisite (test/prerequisites.ts).
import { execFileSync } from 'node:child_process';
import { missingPrerequisites } from './prerequisites.ts';

const hasCommand = (name: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const goVersion = (): string | undefined => {
  try {
    return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim();
  } catch {
    return undefined;
  }
};

const missing = missingPrerequisites({
  // MODELSHIP_PYTHON names another Python to make the model servers' environment with (test/cluster/python-env.ts).
  hasCommand: (name) => hasCommand(name === 'python3.11' ? (process.env.MODELSHIP_PYTHON ?? name) : name),
  goVersion: goVersion(),
  isRoot: process.getuid?.() === 0,
  prebuiltTools: Boolean(process.env.MODELSHIP_TEST_ASSETS),
});
if (missing.length > 0) {
  process.stderr.write(`${missing.join('\n')}\n(see README, "Prerequisites")\n`);
  process.exit(1);
}
