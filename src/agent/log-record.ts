// One logged request/response pair as a JSONL line. `requestId` comes first so a scan can read it off
// the start of a line without parsing the rest. Pure.
import type { AgentIdentity } from './args.ts';
import { loggedBody } from './body-capture.ts';
import { redact } from './redact.ts';

export interface Exchange {
  readonly requestId: string;
  readonly startMs: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly request: { readonly bytes: Buffer; readonly truncated: boolean };
  readonly response: { readonly bytes: Buffer; readonly truncated: boolean };
}

export interface LogRecord {
  readonly requestId: string;
  readonly time: string;
  readonly namespace: string;
  readonly model: string;
  readonly version: string;
  readonly variant: string;
  readonly revision: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly request: unknown;
  readonly response: unknown;
  readonly truncated?: true;
}

export function logRecord(id: AgentIdentity, ex: Exchange, redactFields: ReadonlySet<string>): LogRecord {
  const truncated = ex.request.truncated || ex.response.truncated;
  return {
    requestId: ex.requestId,
    time: new Date(ex.startMs).toISOString(),
    namespace: id.namespace,
    model: id.model,
    version: id.version,
    variant: id.variant,
    revision: id.revision,
    method: ex.method,
    path: ex.path,
    status: ex.status,
    latencyMs: Math.round(ex.latencyMs * 1000) / 1000,
    request: redact(loggedBody(ex.request.bytes, ex.request.truncated), redactFields),
    response: redact(loggedBody(ex.response.bytes, ex.response.truncated), redactFields),
    ...(truncated ? { truncated: true as const } : {}),
  };
}

/** The request id at the start of a line this module wrote, without parsing the line. */
export function requestIdOfLine(line: string): string | undefined {
  const prefix = '{"requestId":"';
  if (!line.startsWith(prefix)) return undefined;
  const end = line.indexOf('"', prefix.length);
  return end === -1 ? undefined : line.slice(prefix.length, end);
}
