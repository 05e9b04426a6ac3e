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

const missing = missingPrerequisites({
  hasCommand,
  isRoot: process.getuid?.() === 0,
  prebuiltTools: Boolean(process.env.MODELSHIP_TEST_ASSETS),
});
if (missing.length > 0) {
  process.stderr.write(`${missing.join('\n')}\n(see README, "Prerequisites")\n`);
  process.exit(1);
}
