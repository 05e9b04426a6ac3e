// A real Apache Airflow 3 (test/cluster/airflow-server.ts) answers as retraining triggers will use it: a JWT
// from POST /auth/token (a wrong password refused), a DAG run created through the REST API v2 with `conf`,
// its state read back until it ends, and the task seeing that conf (test/fixtures/airflow/dags). No
// Kubernetes: the operator's client is tested against this server by the retraining tests.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAirflowServer } from '../cluster/airflow-server.ts';
import { eventually } from '../support/wait.ts';

const log = (line: string) => process.stderr.write(`[airflow-server] ${line}\n`);
const DAG = 'modelship_conf_echo';
const started = Date.now();
const airflow = await startAirflowServer({ dagsFolder: resolve(import.meta.dirname, '..', 'fixtures', 'airflow', 'dags'), dagIds: [DAG], log });
log(`ready in ${airflow.startMs} ms (${Date.now() - started} ms with the environment check)`);
const out = mkdtempSync(join(tmpdir(), 'modelship-airflow-out-'));
after(async () => {
  await airflow.stop();
  rmSync(out, { recursive: true, force: true });
});

interface DagRun {
  dag_run_id: string;
  state: string;
  conf: Record<string, unknown>;
}

async function trigger(conf: Record<string, unknown>): Promise<DagRun> {
  // logical_date null: a manual run of a DAG without a schedule, as Airflow 3 asks for.
  return (await airflow.api('POST', `dags/${DAG}/dagRuns`, { logical_date: null, conf })) as DagRun;
}

async function finished(run: DagRun): Promise<DagRun> {
  return eventually(
    `DAG run ${run.dag_run_id} to end`,
    async () => (await airflow.api('GET', `dags/${DAG}/dagRuns/${encodeURIComponent(run.dag_run_id)}`)) as DagRun,
    (r) => r.state === 'success' || r.state === 'failed',
    120_000,
    1000,
  ).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${airflow.logs()}`);
  });
}

test('a token needs the right password, and the API refuses a call without a valid one', async () => {
  const login = (password: string) =>
    fetch(`${airflow.url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: airflow.username, password }) });
  const wrong = await login(`${airflow.password}x`);
  assert.equal(wrong.status, 401);
  const right = await login(airflow.password);
  assert.equal(right.status, 201);
  const token = ((await right.json()) as { access_token: string }).access_token;
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');

  const dags = (authorization?: string) => fetch(`${airflow.url}/api/v2/dags/${DAG}`, authorization ? { headers: { authorization } } : {});
  assert.equal((await dags()).status, 401);
  // Airflow answers a token whose signature does not verify with 403 "Invalid JWT token" (401 is for none or expired).
  assert.equal((await dags(`Bearer ${token.slice(0, -4)}AAAA`)).status, 403);
  const ok = await dags(`Bearer ${token}`);
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { dag_id: string }).dag_id, DAG);
});

test('a DAG run triggered with conf succeeds, and its task received that conf', async () => {
  const conf = { out: join(out, 'conf.json'), model: 'iris', version: '3', features: ['petal_length'], psi: 0.31 };
  const run = await trigger(conf);
  assert.deepEqual(run.conf, conf);
  const end = await finished(run);
  assert.equal(end.state, 'success');
  assert.deepEqual(JSON.parse(readFileSync(conf.out, 'utf8')), conf);
});

test('a run whose task fails is read back as failed', async () => {
  // No `out`: the task's conf["out"] raises KeyError.
  const end = await finished(await trigger({ model: 'iris' }));
  assert.equal(end.state, 'failed');
});
