// A real MLflow tracking server (the model registry) for tests: `mlflow server` from the cached
// environment of test/cluster/python/mlflow-requirements.txt (python-env.ts), with a SQLite backend
// store in a temporary folder, on a free loopback port. Versions are registered through its REST API
// (no training): registerVersion gives a version any source, e.g. s3://models/iris/1; or by MLflow's
// Python client against `address` (test/e2e/mlflow-registry-pods.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { ensureMlflowEnv } from './python-env.ts';

export interface MlflowServer {
  readonly address: string;
  /** How long the server took to answer, in ms. */
  readonly startMs: number;
  /** A POST or GET of the REST API 2.0 (`registered-models/create`, ...); throws on a non-2xx answer. */
  api(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown>;
  createModel(name: string): Promise<void>;
  /** A new version of the model whose artifact location is `source`; returns its version number. */
  registerVersion(name: string, source: string): Promise<string>;
  setAlias(name: string, alias: string, version: string): Promise<void>;
  deleteAlias(name: string, alias: string): Promise<void>;
  stop(): Promise<void>;
}

export interface MlflowServerOptions {
  readonly log?: (line: string) => void;
  /** --default-artifact-root (default s3://models/mlflow). */
  readonly artifactRoot?: string;
  /** false: --no-serve-artifacts, clients write and read the artifact root themselves (default: MLflow's own default). */
  readonly serveArtifacts?: boolean;
}

export async function startMlflowServer(options: MlflowServerOptions = {}): Promise<MlflowServer> {
  const env = await ensureMlflowEnv(options.log ? { log: options.log } : {});
  const dir = mkdtempSync(join(tmpdir(), 'modelship-mlflow-'));
  const port = await freePort();
  const address = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const child: ChildProcess = spawn(
    join(env.bin, 'mlflow'),
    [
      'server',
      '--backend-store-uri',
      `sqlite:///${join(dir, 'mlflow.db')}`,
      '--default-artifact-root',
      options.artifactRoot ?? 's3://models/mlflow',
      ...(options.serveArtifacts === false ? ['--no-serve-artifacts'] : []),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '1',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, MLFLOW_SERVER_ALLOWED_HOSTS: `127.0.0.1:${port}` } },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const stop = async (): Promise<void> => {
    if (!exited && child.pid !== undefined) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const api = async (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${address}/api/2.0/mlflow/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`MLflow ${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text === '' ? {} : JSON.parse(text);
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`mlflow server exited before answering:\n${stderr}`);
    try {
      const res = await fetch(`${address}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`mlflow server did not answer within 120 s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const startMs = Date.now() - started;
  return {
    address,
    startMs,
    api,
    createModel: async (name) => {
      await api('POST', 'registered-models/create', { name });
    },
    registerVersion: async (name, source) => {
      const out = (await api('POST', 'model-versions/create', { name, source })) as { model_version: { version: string } };
      return out.model_version.version;
    },
    setAlias: async (name, alias, version) => {
      await api('POST', 'registered-models/alias', { name, alias, version });
    },
    deleteAlias: async (name, alias) => {
      // MLflow reads a DELETE's parameters from its JSON body.
      await api('DELETE', 'registered-models/alias', { name, alias });
    },
    stop,
  };
}
