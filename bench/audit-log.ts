// The API server's audit log, kept for the controllers under test only: it counts each one's requests
// by verb on the server side, events included, whatever client library wrote them.
import { closeSync, existsSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';

/** A policy that records (metadata only, once per request) what the given users ask, and nothing else. */
export function auditPolicyYaml(users: readonly string[]): string {
  return [
    'apiVersion: audit.k8s.io/v1',
    'kind: Policy',
    'omitStages: [RequestReceived, ResponseStarted]',
    'rules:',
    `- level: Metadata`,
    `  users: [${users.map((u) => JSON.stringify(u)).join(', ')}]`,
    '- level: None',
    '',
  ].join('\n');
}

export function writeAuditPolicy(file: string, users: readonly string[]): void {
  writeFileSync(file, auditPolicyYaml(users));
}

export interface AuditEntry {
  readonly user: string;
  /** The audit verb, except that a server-side apply (a patch with `force`, valid for apply only) is "apply". */
  readonly verb: string;
  readonly resource: string;
  readonly subresource: string;
  /** The object's namespace and name ("" for collections and cluster-scoped objects). */
  readonly namespace: string;
  readonly name: string;
  /** Tells apart processes that authenticate as the same user (modelship sends modelship/<identity>). */
  readonly userAgent: string;
  readonly code: number;
  /** When the request was received, ms since the epoch. */
  readonly at: number;
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'apply', 'delete', 'deletecollection']);

export function isWrite(verb: string): boolean {
  return WRITE_VERBS.has(verb);
}

/** PURE: the JSON lines of an audit log. */
export function parseAuditLines(text: string): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as {
      user?: { username?: string };
      userAgent?: string;
      verb?: string;
      requestURI?: string;
      requestReceivedTimestamp?: string;
      objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
      responseStatus?: { code?: number };
    };
    // The API server rejects `force` on any patch but an apply, so it tells the two apart.
    const apply = e.verb === 'patch' && /[?&]force=/.test(e.requestURI ?? '');
    entries.push({
      user: e.user?.username ?? '',
      verb: apply ? 'apply' : (e.verb ?? ''),
      resource: e.objectRef?.resource ?? '',
      subresource: e.objectRef?.subresource ?? '',
      namespace: e.objectRef?.namespace ?? '',
      name: e.objectRef?.name ?? '',
      userAgent: e.userAgent ?? '',
      code: e.responseStatus?.code ?? 0,
      at: Date.parse(e.requestReceivedTimestamp ?? '') || 0,
    });
  }
  return entries;
}

/** PURE: requests per verb (writes also per resource, e.g. "patch modeldeployments/status"). */
export function countByVerb(entries: readonly AuditEntry[], user: string): { verbs: Record<string, number>; writes: Record<string, number> } {
  const verbs: Record<string, number> = {};
  const writes: Record<string, number> = {};
  for (const e of entries) {
    if (e.user !== user) continue;
    verbs[e.verb] = (verbs[e.verb] ?? 0) + 1;
    if (isWrite(e.verb)) {
      const key = `${e.verb} ${e.resource}${e.subresource ? `/${e.subresource}` : ''}`;
      writes[key] = (writes[key] ?? 0) + 1;
    }
  }
  return { verbs, writes };
}

/** Reads the log from a byte offset (a mark taken when a phase began) to its end. */
export class AuditLog {
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  mark(): number {
    return existsSync(this.file) ? statSync(this.file).size : 0;
  }

  entriesSince(offset: number): AuditEntry[] {
    if (!existsSync(this.file)) return [];
    const end = statSync(this.file).size;
    if (end <= offset) return [];
    const buf = Buffer.alloc(end - offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, offset);
    } finally {
      closeSync(fd);
    }
    // A line still being written is left for the next read.
    const text = buf.toString('utf8');
    return parseAuditLines(text.slice(0, text.lastIndexOf('\n') + 1));
  }
}
