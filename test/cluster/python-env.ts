// The Python environment of the real model servers: MLServer (with its sklearn and MLflow runtimes) from PyPI,
// at the exact versions of test/cluster/python/mlserver-requirements.txt (the output of `pip freeze` in a fresh
// environment, so a new machine gets the same versions), in a virtual environment cached in
// $MODELSHIP_CACHE (default ~/.cache/modelship)/python/mlserver-<hash of that file>. A changed pin makes a new environment; old ones stay
// until removed by hand. Creation holds a directory lock, so test files started in parallel make it once, and is
// marked complete only at the end (an interrupted creation is redone).
//
// Created lazily by the first test that needs it, and ahead of the tests by `npm run python:env` (.ci/run runs
// it before `npm test`, so its minutes do not count against a test's timeout).
//
//   node test/cluster/python-env.ts          creates it if missing and prints its folder
//   node test/cluster/python-env.ts mlflow   the same for MLflow (mlflow-requirements.txt)
//   node test/cluster/python-env.ts airflow  the same for Apache Airflow (airflow-requirements.txt)
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { withDirectoryLock } from './directory-lock.ts';
import { cacheRoot } from './tools.ts';

const execFileAsync = promisify(execFile);

export const requirementsFile = resolve(import.meta.dirname, 'python', 'mlserver-requirements.txt');
/** MLflow, the model registry of test/integration/mlflow-registry.test.ts (test/cluster/mlflow-server.ts). */
export const mlflowRequirementsFile = resolve(import.meta.dirname, 'python', 'mlflow-requirements.txt');
/** Apache Airflow 3, the workflow server of retraining triggers (test/cluster/airflow-server.ts). */
export const airflowRequirementsFile = resolve(import.meta.dirname, 'python', 'airflow-requirements.txt');

export interface PythonEnv {
  /** The environment's folder. */
  readonly dir: string;
  /** Its bin folder (python, pip, mlserver). */
  readonly bin: string;
  readonly python: string;
}

/** The cache folder of the environment for these requirements: the hash of the file's content names it. */
export function pythonEnvDir(requirements: string, root = cacheRoot(), prefix = 'mlserver'): string {
  const hash = createHash('sha256').update(requirements).digest('hex').slice(0, 16);
  return join(root, 'python', `${prefix}-${hash}`);
}

/** The Python that makes the environment: MODELSHIP_PYTHON, else python3.11 on PATH. */
export function basePython(): string {
  return process.env.MODELSHIP_PYTHON ?? 'python3.11';
}

function envOf(dir: string): PythonEnv {
  return { dir, bin: join(dir, 'bin'), python: join(dir, 'bin', 'python') };
}

/** The cached environment, made first if missing (minutes when cold; progress on stderr). */
export function ensureMlserverEnv(options: { log?: (line: string) => void } = {}): Promise<PythonEnv> {
  return ensurePythonEnv(requirementsFile, 'mlserver', options);
}

/** The cached MLflow environment (mlflow server), made first if missing (about two minutes when cold). */
export function ensureMlflowEnv(options: { log?: (line: string) => void } = {}): Promise<PythonEnv> {
  return ensurePythonEnv(mlflowRequirementsFile, 'mlflow', options);
}

/** The cached Apache Airflow environment (api-server, scheduler, dag-processor), made first if missing (about a minute when cold). */
export function ensureAirflowEnv(options: { log?: (line: string) => void } = {}): Promise<PythonEnv> {
  return ensurePythonEnv(airflowRequirementsFile, 'airflow', options);
}

/** The cached environment of a requirements file, keyed by its content's hash, made first if missing. */
export async function ensurePythonEnv(requirementsFile: string, prefix: string, options: { log?: (line: string) => void } = {}): Promise<PythonEnv> {
  const requirements = readFileSync(requirementsFile, 'utf8');
  const dir = pythonEnvDir(requirements, cacheRoot(), prefix);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return envOf(dir);
  const log = options.log ?? ((line: string) => process.stderr.write(`[python-env] ${line}\n`));
  return withDirectoryLock(
    `${dir}.lock`,
    async () => {
      if (existsSync(marker)) return envOf(dir);
      const started = Date.now();
      log(`creating ${dir} from ${requirementsFile} (a few minutes, once per set of pins)`);
      rmSync(dir, { recursive: true, force: true });
      await execFileAsync(basePython(), ['-m', 'venv', dir]);
      const env = envOf(dir);
      // --no-deps is not used: pip's resolver checks that the pins agree with each other.
      await execFileAsync(env.python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', requirementsFile], {
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
      });
      const seconds = Math.round((Date.now() - started) / 1000);
      writeFileSync(marker, JSON.stringify({ createdAt: new Date().toISOString(), seconds }));
      log(`created in ${seconds} s`);
      return env;
    },
    { pollMs: 1000, onWait: (owner) => log(`waiting for process ${owner}, which is creating ${dir}`) },
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const which = process.argv[2];
  const env = which === 'mlflow' ? await ensureMlflowEnv() : which === 'airflow' ? await ensureAirflowEnv() : await ensureMlserverEnv();
  process.stdout.write(`${env.dir}\n`);
}
