// I/O: a DAG run in Airflow 3 through its REST API, for one trigger.
// - Credentials: basicAuthSecret (username, password) is exchanged for a JWT at POST /auth/token,
//   kept until a 401; or bearerTokenSecret is sent as it is.
// - POST /api/v2/dags/{dag_id}/dagRuns with dag_run_id = the trigger id and logical_date null (Airflow
//   3 requires the field; null: no data interval, the run is not tied to a schedule). 409 means a run
//   of that id exists: sent before (by this operator before a crash, or another leader), not twice.
// - The outcome: GET .../dagRuns/{dag_run_id}: queued and running are Running, success Succeeded,
//   failed Failed.
import type { ApiClient } from '../kube/api-client.ts';
import type { OutboundClient } from '../outbound/index.ts';
import type { RunOutcome, SendResult } from './send-result.ts';
import { secretValue } from './secret-value.ts';
import type { AirflowConnection } from './targets-file.ts';

const TIMEOUT_MS = 15_000;
const MAX_ANSWER_BYTES = 256 * 1024;

export interface AirflowTargetDeps {
  readonly http: OutboundClient;
  readonly client: ApiClient;
  /** Where the connection's Secrets are: the operator's namespace. */
  readonly namespace: string;
}

function url(connection: AirflowConnection, path: string): URL {
  const base = connection.address.endsWith('/') ? connection.address : `${connection.address}/`;
  return new URL(path, base);
}

export class AirflowTarget {
  private readonly deps: AirflowTargetDeps;
  private readonly tokens = new Map<string, string>();

  constructor(deps: AirflowTargetDeps) {
    this.deps = deps;
  }

  private async token(connection: AirflowConnection, fresh: boolean): Promise<string | undefined> {
    const { client, namespace, http } = this.deps;
    if (connection.bearerTokenSecret !== undefined) return secretValue(client, namespace, connection.bearerTokenSecret.name, connection.bearerTokenSecret.key);
    if (connection.basicAuthSecret === undefined) return undefined;
    const cached = this.tokens.get(connection.name);
    if (cached !== undefined && !fresh) return cached;
    const username = await secretValue(client, namespace, connection.basicAuthSecret.name, 'username');
    const password = await secretValue(client, namespace, connection.basicAuthSecret.name, 'password');
    const res = await http.send(url(connection, 'auth/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username, password }),
      maxBytes: 64 * 1024,
      timeoutMs: TIMEOUT_MS,
    });
    if (res.status < 200 || res.status >= 300) throw new Error(`Airflow ${connection.name} refused the login: HTTP ${res.status} at POST /auth/token`);
    const token = (JSON.parse(res.body) as { access_token?: unknown }).access_token;
    if (typeof token !== 'string' || token === '') throw new Error(`Airflow ${connection.name}: POST /auth/token answered without access_token`);
    this.tokens.set(connection.name, token);
    return token;
  }

  /** A request with the connection's token; a 401 logs in again once. */
  private async call(connection: AirflowConnection, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: string }> {
    for (const fresh of [false, true]) {
      const token = await this.token(connection, fresh);
      const res = await this.deps.http.send(url(connection, path), {
        method,
        headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        maxBytes: MAX_ANSWER_BYTES,
        timeoutMs: TIMEOUT_MS,
      });
      if (res.status !== 401 || fresh || connection.basicAuthSecret === undefined) return res;
      this.tokens.delete(connection.name);
    }
    throw new Error('unreachable');
  }

  async send(connection: AirflowConnection, dagId: string, id: string, conf: Record<string, unknown>): Promise<SendResult> {
    try {
      const res = await this.call(connection, 'POST', `api/v2/dags/${encodeURIComponent(dagId)}/dagRuns`, { dag_run_id: id, logical_date: null, conf });
      if (res.status >= 200 && res.status < 300) return { ok: true, runId: id, duplicate: false };
      if (res.status === 409) return { ok: true, runId: id, duplicate: true };
      return { ok: false, message: `Airflow ${connection.name} refused the DAG run of ${dagId}: HTTP ${res.status} ${oneLine(res.body)}` };
    } catch (err) {
      return { ok: false, message: `Airflow ${connection.name} cannot be reached: ${describe(err)}` };
    }
  }

  async outcome(connection: AirflowConnection, dagId: string, runId: string): Promise<RunOutcome | undefined> {
    try {
      const res = await this.call(connection, 'GET', `api/v2/dags/${encodeURIComponent(dagId)}/dagRuns/${encodeURIComponent(runId)}`);
      if (res.status !== 200) return undefined;
      const state = (JSON.parse(res.body) as { state?: unknown }).state;
      if (state === 'success') return { state: 'Succeeded', message: `DAG run ${runId} of ${dagId} succeeded` };
      if (state === 'failed') return { state: 'Failed', message: `DAG run ${runId} of ${dagId} failed; see it in Airflow ${connection.name}` };
      return { state: 'Running', message: `DAG run ${runId} of ${dagId} is ${typeof state === 'string' ? state : 'queued'}` };
    } catch {
      return undefined;
    }
  }
}

function oneLine(body: string): string {
  return body.replace(/\s+/g, ' ').slice(0, 300);
}

/** Every failure of the outbound client is an OutboundError whose message is its fixed description. */
function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
