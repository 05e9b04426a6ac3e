// What the retraining-loop tests share: versitygw (S3) with a bucket for MLflow's artifacts and one for the
// inference logs, a real MLflow server (artifacts written by its clients straight to versitygw) and a real
// Airflow 3 loading test/fixtures/airflow/dags, whose tasks inherit MLflow's address, the S3 endpoint and
// credentials, and the Airflow Variable `modelship_training_python` (the MLflow environment's Python, which
// has scikit-learn). DAG runs are triggered as modelship's retraining trigger does: a JWT from
// POST /auth/token, then POST /api/v2/dags/<id>/dagRuns with `dag_run_id`, `logical_date: null` and `conf`.
// S3 and MLflow start together; Airflow after them (its tasks need their addresses).
import { resolve } from 'node:path';
import { startAirflowServer, type AirflowServer } from '../cluster/airflow-server.ts';
import { startMlflowServer, type MlflowServer } from '../cluster/mlflow-server.ts';
import { ensureMlflowEnv, type PythonEnv } from '../cluster/python-env.ts';
import { startS3Server, type S3Server } from '../cluster/s3-server.ts';
import { eventually } from './wait.ts';

export const RETRAINING_DAGS = resolve(import.meta.dirname, '..', 'fixtures', 'airflow', 'dags');
export const MLFLOW_BUCKET = 'mlflow';
export const LOGS_BUCKET = 'logs';

export interface RetrainingLoopBedOptions {
  /** Folder of the tool binaries (versitygw). */
  readonly toolsDir?: string;
  /** A second address for versitygw (the pod network's host side), for pods that fetch models or write logs. */
  readonly extraHost?: string;
  /** DAG ids Airflow's readiness waits for (default: retrain_iris). */
  readonly dagIds?: readonly string[];
  readonly log?: (line: string) => void;
}

export interface DagRun {
  readonly dag_run_id: string;
  readonly state: string;
  readonly conf: Record<string, unknown>;
}

export interface RetrainingLoopBed {
  readonly s3: S3Server;
  readonly mlflow: MlflowServer;
  readonly airflow: AirflowServer;
  /** The MLflow environment (mlflow, scikit-learn, boto3): the training Python and the tests' client. */
  readonly python: PythonEnv;
  /** The environment of an MLflow client: tracking URI, S3 endpoint and credentials. */
  readonly mlflowClientEnv: Readonly<Record<string, string>>;
  /** Start-up times in ms (each from its own start). */
  readonly startMs: { readonly s3: number; readonly mlflow: number; readonly airflow: number };
  /** POST /api/v2/dags/<dagId>/dagRuns as the operator sends it; the status and parsed body, whatever the status. */
  triggerDagRun(dagId: string, dagRunId: string, conf: Record<string, unknown>): Promise<{ readonly status: number; readonly body: unknown }>;
  getDagRun(dagId: string, dagRunId: string): Promise<DagRun>;
  /** The run once it is success or failed; throws with Airflow's logs when it is neither in time. */
  finishedDagRun(dagId: string, dagRunId: string, timeoutMs?: number): Promise<DagRun>;
  /** The runs of a DAG. */
  dagRuns(dagId: string): Promise<DagRun[]>;
  /** A task's log of a run (first try), for a failing test's message. */
  taskLog(dagId: string, dagRunId: string, taskId: string): Promise<string>;
  stop(): Promise<void>;
}

export async function retrainingLoopBed(options: RetrainingLoopBedOptions = {}): Promise<RetrainingLoopBed> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const python = await ensureMlflowEnv({ log });
  const s3Starting = startS3Server({ ...(options.toolsDir !== undefined ? { toolsDir: options.toolsDir } : {}), ...(options.extraHost !== undefined ? { extraHost: options.extraHost } : {}) }).then((s3) => ({ s3, ms: Date.now() - started }));
  const mlflowStarting = startMlflowServer({ artifactRoot: `s3://${MLFLOW_BUCKET}/`, serveArtifacts: false, log });
  const [s3Started, mlflow] = await Promise.allSettled([s3Starting, mlflowStarting]);
  if (s3Started.status === 'rejected' || mlflow.status === 'rejected') {
    if (s3Started.status === 'fulfilled') await s3Started.value.s3.stop();
    if (mlflow.status === 'fulfilled') await mlflow.value.stop();
    throw s3Started.status === 'rejected' ? s3Started.reason : (mlflow as PromiseRejectedResult).reason;
  }
  const { s3 } = s3Started.value;
  const stopStores = async () => {
    await mlflow.value.stop();
    await s3.stop();
  };
  const mlflowClientEnv = {
    MLFLOW_TRACKING_URI: mlflow.value.address,
    MLFLOW_S3_ENDPOINT_URL: s3.endpoint,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_DEFAULT_REGION: s3.region,
  };
  let airflow: AirflowServer;
  try {
    for (const bucket of [MLFLOW_BUCKET, LOGS_BUCKET]) await s3.createBucket(bucket);
    airflow = await startAirflowServer({
      dagsFolder: RETRAINING_DAGS,
      dagIds: options.dagIds ?? ['retrain_iris'],
      log,
      env: { ...mlflowClientEnv, AIRFLOW_VAR_MODELSHIP_TRAINING_PYTHON: python.python },
    });
  } catch (err) {
    await stopStores();
    throw err;
  }

  const triggerDagRun = async (dagId: string, dagRunId: string, conf: Record<string, unknown>) => {
    const res = await fetch(`${airflow.url}/api/v2/dags/${encodeURIComponent(dagId)}/dagRuns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await airflow.token()}` },
      body: JSON.stringify({ dag_run_id: dagRunId, logical_date: null, conf }),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body };
  };
  const runPath = (dagId: string, dagRunId: string) => `dags/${encodeURIComponent(dagId)}/dagRuns/${encodeURIComponent(dagRunId)}`;
  const getDagRun = async (dagId: string, dagRunId: string) => (await airflow.api('GET', runPath(dagId, dagRunId))) as DagRun;
  const taskLog = async (dagId: string, dagRunId: string, taskId: string): Promise<string> => {
    const res = await fetch(`${airflow.url}/api/v2/${runPath(dagId, dagRunId)}/taskInstances/${taskId}/logs/1?full_content=true`, {
      headers: { accept: 'application/json', authorization: `Bearer ${await airflow.token()}` },
    });
    const text = await res.text();
    if (!res.ok) return `HTTP ${res.status} ${text}`;
    // Structured log lines: {timestamp, level, event, error_detail?, ...}.
    const { content } = JSON.parse(text) as { content: unknown[] };
    return content.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n');
  };
  return {
    s3,
    mlflow: mlflow.value,
    airflow,
    python,
    mlflowClientEnv,
    startMs: { s3: s3Started.value.ms, mlflow: mlflow.value.startMs, airflow: airflow.startMs },
    triggerDagRun,
    getDagRun,
    finishedDagRun: (dagId, dagRunId, timeoutMs = 300_000) =>
      eventually(`DAG run ${dagId}/${dagRunId} to end`, () => getDagRun(dagId, dagRunId), (r) => r.state === 'success' || r.state === 'failed', timeoutMs, 1000).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)}\n${airflow.logs()}`);
      }),
    dagRuns: async (dagId) => ((await airflow.api('GET', `dags/${encodeURIComponent(dagId)}/dagRuns?limit=100`)) as { dag_runs: DagRun[] }).dag_runs,
    taskLog,
    stop: async () => {
      await airflow.stop();
      await stopStores();
    },
  };
}
