// The container's termination message (--termination-log PATH, its terminationMessagePath): the kubelet
// reads the file into the container's terminated state, where the operator finds the program's last line.
// Shared by the programs of the image that run as Jobs or init containers.
import { writeFileSync } from 'node:fs';

/** The --termination-log path of argv, also when the rest does not parse. */
export function terminationLogOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg === '--termination-log') return argv[i + 1] !== '' ? argv[i + 1] : undefined;
    if (arg.startsWith('--termination-log=')) return arg.slice('--termination-log='.length) || undefined;
  }
  return undefined;
}

/** Writes the last line to the termination-message file; a file that cannot be written is only logged. */
export function writeTerminationLog(path: string | undefined, line: string, log: (line: string) => void, program: string): void {
  if (path === undefined) return;
  try {
    writeFileSync(path, `${line}\n`);
  } catch (err) {
    const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'error';
    log(`${program}: cannot write the termination log ${path} (${code}); the last line stays in this log only`);
  }
}
