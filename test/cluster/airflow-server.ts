// A real Apache Airflow 3 for tests (the target of retraining triggers): api-server, scheduler and
// dag-processor from the cached environment of test/cluster/python/airflow-requirements.txt (python-env.ts),
// with AIRFLOW_HOME and a SQLite metadata database in a temporary folder, on a free loopback port.
// LocalExecutor (Airflow 3 has no SequentialExecutor; LocalExecutor runs on SQLite), no example DAGs,
// no triggerer (no deferrable tasks here). Authentication is real: the simple auth manager with one admin
// user whose password is written to its passwords file before start, so clients do what they do against a
// production Airflow: POST /auth/token for a JWT, then Bearer on /api/v2. DAGs are not paused at creation,
// so a triggered run starts without an extra PATCH. Each component's output is in <home>/logs/*.log.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { ManagedProcess } from './managed-process.ts';
import { ensureAirflowEnv } from './python-env.ts';

export interface AirflowServer {
  /** The API server's base URL: /api/v2, /auth/token, /execution. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** AIRFLOW_HOME (database, logs, passwords file); removed by stop(). */
  readonly home: string;
  /** From the first process started to readiness (database migration included), in ms. */
  readonly startMs: number;
  /** A fresh JWT from POST /auth/token with the user's password. */
  token(): Promise<string>;
  /** A call of the REST API v2 (`dags/x/dagRuns`, ...) with a bearer token; throws on a non-2xx answer. */
  api(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<unknown>;
  /** The last lines of each component's log, for a failing test's message. */
  logs(lines?: number): string;
  stop(): Promise<void>;
}

export interface AirflowServerOptions {
  /** The DAGs folder ([core] dags_folder). */
  readonly dagsFolder: string;
  /** DAG ids readiness waits for (parsed and listed by the API); default: every *.py file's stem. */
  readonly dagIds?: readonly string[];
  readonly log?: (line: string) => void;
  /** How long start-up may take (default 180 s: a loaded machine parses slowly). */
  readonly timeoutMs?: number;
  /**
   * More environment for every component, so tasks inherit it: the addresses and credentials a DAG's tasks
   * use (MLflow, S3), and Airflow Variables as AIRFLOW_VAR_<NAME>.
   */
  readonly env?: Readonly<Record<string, string>>;
}

const USERNAME = 'modelship';

/** The configuration of every component, as AIRFLOW__SECTION__KEY variables (the environment wins over airflow.cfg). */
export function airflowEnv(home: string, dagsFolder: string, url: string, passwordsFile: string, jwtSecret: string): NodeJS.ProcessEnv {
  return {
    AIRFLOW_HOME: home,
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${join(home, 'airflow.db')}`,
    AIRFLOW__CORE__EXECUTOR: 'LocalExecutor',
    AIRFLOW__CORE__PARALLELISM: '4',
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__CORE__DAGS_FOLDER: dagsFolder,
    AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION: 'False',
    AIRFLOW__CORE__AUTH_MANAGER: 'airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager',
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS: `${USERNAME}:admin`,
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS: 'False',
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE: passwordsFile,
    // Shared by the API server (which checks tokens) and the scheduler (which signs the task workloads' tokens).
    AIRFLOW__API_AUTH__JWT_SECRET: jwtSecret,
    // Task processes report to the execution API of this API server, not the default localhost:8080.
    AIRFLOW__CORE__EXECUTION_API_SERVER_URL: `${url}/execution/`,
    // A DAG file added while the server runs is listed within seconds (default 5 minutes).
    AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL: '5',
  };
}

function defaultDagIds(dagsFolder: string): string[] {
  return readdirSync(dagsFolder)
    .filter((f) => f.endsWith('.py'))
    .map((f) => f.slice(0, -3));
}

export async function startAirflowServer(options: AirflowServerOptions): Promise<AirflowServer> {
  const env = await ensureAirflowEnv(options.log ? { log: options.log } : {});
  const home = mkdtempSync(join(tmpdir(), 'modelship-airflow-'));
  const logDir = join(home, 'logs');
  mkdirSync(logDir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const password = randomBytes(12).toString('base64url');
  const passwordsFile = join(home, 'passwords.json');
  // The simple auth manager keeps a password found in this file and generates only the missing ones.
  writeFileSync(passwordsFile, `${JSON.stringify({ [USERNAME]: password })}\n`, { mode: 0o600 });
  const childEnv = { ...process.env, ...options.env, ...airflowEnv(home, options.dagsFolder, url, passwordsFile, randomBytes(32).toString('hex')) };
  const airflow = join(env.bin, 'airflow');
  const processes: ManagedProcess[] = [];
  const logs = (lines = 30): string => processes.map((p) => `--- ${p.name} (${p.logFile})\n${p.tail(lines)}`).join('\n');
  const stop = async (): Promise<void> => {
    await Promise.all(processes.map((p) => p.stop(10_000)));
    rmSync(home, { recursive: true, force: true });
  };
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 180_000;
  const deadline = started + timeoutMs;
  const fail = async (why: string): Promise<never> => {
    const tails = logs();
    await stop();
    throw new Error(`Airflow ${why}:\n${tails}`);
  };

  const run = (name: string, args: readonly string[]): ManagedProcess => {
    const p = new ManagedProcess({ name, command: airflow, args, logFile: join(logDir, `${name}.log`), env: childEnv, cwd: home });
    processes.push(p);
    return p;
  };
  const migrate = run('db-migrate', ['db', 'migrate']);
  const migrated = await migrate.exited$;
  if (migrated !== 0) await fail(`db migrate exited with ${migrated}`);
  processes.splice(processes.indexOf(migrate), 1);
  run('api-server', ['api-server', '--host', '127.0.0.1', '--port', String(port), '--workers', '1']);
  run('scheduler', ['scheduler']);
  run('dag-processor', ['dag-processor']);

  const token = async (): Promise<string> => {
    const res = await fetch(`${url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: USERNAME, password }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Airflow POST /auth/token: HTTP ${res.status} ${text.slice(0, 300)}`);
    return (JSON.parse(text) as { access_token: string }).access_token;
  };
  let cachedToken: string | undefined;
  const api = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<unknown> => {
    cachedToken ??= await token();
    const res = await fetch(`${url}/api/v2/${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${cachedToken}` },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Airflow ${method} /api/v2/${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text === '' ? {} : JSON.parse(text);
  };

  const dagIds = options.dagIds ?? defaultDagIds(options.dagsFolder);
  /** true when ready, false while starting, a message when a DAG file does not import. */
  const ready = async (): Promise<boolean | string> => {
    const health = (await (await fetch(`${url}/api/v2/monitor/health`)).json()) as Record<string, { status?: string | null }>;
    if (health.scheduler?.status !== 'healthy' || health.dag_processor?.status !== 'healthy') return false;
    const errors = (await api('GET', 'importErrors')) as { import_errors: { filename: string; stack_trace: string }[] };
    if (errors.import_errors.length > 0) return errors.import_errors.map((e) => `${e.filename}: ${e.stack_trace}`).join('\n');
    const dags = (await api('GET', 'dags?limit=1000')) as { dags: { dag_id: string }[] };
    const listed = new Set(dags.dags.map((d) => d.dag_id));
    return dagIds.every((id) => listed.has(id));
  };
  for (;;) {
    const gone = processes.find((p) => !p.running);
    if (gone) await fail(`${gone.name} exited (${JSON.stringify(gone.exitStatus)}) before readiness`);
    const state = await ready().catch(() => false); // not listening yet, or still starting
    if (typeof state === 'string') await fail(`could not import DAG files:\n${state}`);
    if (state === true) break;
    if (Date.now() > deadline) await fail(`was not ready within ${timeoutMs / 1000} s (DAGs ${dagIds.join(', ')})`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const startMs = Date.now() - started;
  options.log?.(`Airflow ready at ${url} in ${startMs} ms`);
  return { url, username: USERNAME, password, home, startMs, token, api, logs, stop };
}
