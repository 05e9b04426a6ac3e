// Runs node:test files against one shared control plane (started here, stopped after),
// so test files share its start-up cost and isolate themselves by namespace.
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { resolve } from 'node:path';
import { startControlPlane } from './cluster/control-plane.ts';
// Stops with one line per missing prerequisite before a control plane is started.
import './check-prerequisites.ts';

const patterns = process.argv.slice(2);
if (patterns.length === 0) {
  process.stderr.write('usage: run-with-cluster.ts <test file glob>...\n');
  process.exit(2);
}

const started = Date.now();
const cp = await startControlPlane();
process.stdout.write(`shared control plane ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${cp.server}\n`);

// --test-timeout: no single test can hold the run for more than 10 minutes.
// --import: a TimeoutOverflowWarning in any test process fails its file (test/support/fail-on-timeout-overflow.ts).
const overflowHook = resolve(import.meta.dirname, 'support', 'fail-on-timeout-overflow.ts');
// The failure digest (test/support/failure-digest-reporter.ts) comes last, where CI's tail shows it.
const digestReporter = resolve(import.meta.dirname, 'support', 'failure-digest-reporter.ts');
const child = spawn(process.execPath, ['--import', overflowHook, '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${digestReporter}`, '--test-reporter-destination=stdout', '--test-timeout=600000', ...patterns], {
  stdio: 'inherit',
  env: {
    ...process.env,
    MODELSHIP_TEST_KUBECONFIG: cp.kubeconfigPath,
    MODELSHIP_TEST_CLUSTER_DIR: cp.dir,
    MODELSHIP_TEST_TOOLS: cp.toolsDir,
  },
});
const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
process.on('SIGINT', forward('SIGINT'));
process.on('SIGTERM', forward('SIGTERM'));
const code = await new Promise<number>((resolve) => child.on('close', (c, s) => resolve(c ?? (s ? 1 : 0))));
// The runner's summary of failing tests stays the last thing printed: the control plane's logs are kept
// in a folder of the checkout (.local/, ignored by git) instead of following it.
if (code !== 0) {
  const kept = resolve(import.meta.dirname, '..', '.local', 'test-logs', `${new Date().toISOString().replace(/[:.]/g, '-')}`);
  cpSync(cp.dir, kept, { recursive: true, filter: (src) => !src.includes('/etcd') && !src.endsWith('.sock') });
  process.stdout.write(`\ntests failed; the control plane's logs are kept in ${kept}\n`);
}
await cp.stop();
process.exit(code);
