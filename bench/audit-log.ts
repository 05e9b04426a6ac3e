// The API server's audit log, kept for the controllers under test only: it counts each one's requests
// by verb on the server side, events included, whatever client library wrote them.
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';

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

/** kube-apiserver's --audit-log-maxsize (MB) that never rotates: 0 means lumberjack's default of 100 MB. */
export const AUDIT_LOG_NEVER_ROTATE_MB = 1_000_000;
/** Read and parsed a slice at a time: a whole log can be longer than the longest string V8 makes (512 MiB). */
const READ_CHUNK_BYTES = 32 * 2 ** 20;

/** Reads the log from a byte offset (a mark taken when a phase began) to its end. */
export class AuditLog {
  readonly file: string;
  private readonly chunkBytes: number;

  constructor(file: string, chunkBytes = READ_CHUNK_BYTES) {
    this.file = file;
    this.chunkBytes = chunkBytes;
  }

  mark(): number {
    return existsSync(this.file) ? statSync(this.file).size : 0;
  }

  entriesSince(offset: number): AuditEntry[] {
    if (!existsSync(this.file)) return [];
    this.refuseRotated();
    const end = statSync(this.file).size;
    if (end < offset) throw new Error(`the audit log ${this.file} is shorter than a mark taken in it (${end} < ${offset} bytes): it was truncated, and counts from it would be wrong`);
    const entries: AuditEntry[] = [];
    const fd = openSync(this.file, 'r');
    try {
      let carried = Buffer.alloc(0);
      for (let at = offset; at < end; ) {
        const chunk = Buffer.alloc(Math.min(this.chunkBytes, end - at));
        const read = readSync(fd, chunk, 0, chunk.length, at);
        if (read === 0) break;
        at += read;
        const bytes = Buffer.concat([carried, chunk.subarray(0, read)]);
        // A line cut by the chunk is finished by the next; one still being written is left for the next read.
        const lastNewline = bytes.lastIndexOf(0x0a);
        carried = bytes.subarray(lastNewline + 1);
        if (lastNewline >= 0) for (const e of parseAuditLines(bytes.subarray(0, lastNewline + 1).toString('utf8'))) entries.push(e);
      }
    } finally {
      closeSync(fd);
    }
    return entries;
  }

  /** A rotated log (`audit-<time>.log` beside it) holds part of what a mark's offset counts from: refuse to count. */
  private refuseRotated(): void {
    const ext = extname(this.file);
    const stem = basename(this.file, ext);
    const backups = readdirSync(dirname(this.file)).filter((f) => f !== basename(this.file) && f.startsWith(`${stem}-`) && f.endsWith(ext));
    if (backups.length > 0) throw new Error(`the audit log ${this.file} was rotated (${backups.join(', ')}): counts from one file would be wrong`);
  }
}
