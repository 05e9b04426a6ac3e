// Which archive entries may be written, and where: a relative path that stays inside the destination,
// a symbolic link whose target stays inside too, a bounded number of entries and bytes. Pure: the
// extractor (extract.ts) also checks every link on disk once all are made, since a link target that
// passes through another link can only be judged there.
import { posix } from 'node:path';

export type PathCheck = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly why: string };

/**
 * The relative path an entry is written to, or why it is refused. '' is the archive's root ('./').
 * Refused: absolute paths, drive letters, backslashes, NUL, and any '..' segment.
 */
export function entryPath(name: string): PathCheck {
  if (name.includes('\0')) return { ok: false, why: 'contains NUL' };
  if (name.includes('\\')) return { ok: false, why: 'contains a backslash' };
  if (name.startsWith('/')) return { ok: false, why: 'is an absolute path' };
  if (/^[A-Za-z]:/.test(name)) return { ok: false, why: 'starts with a drive letter' };
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { ok: false, why: "has a '..' segment" };
  return { ok: true, path: segments.join('/') };
}

/** Whether a symbolic link at `path` (an entryPath result) pointing at `target` stays inside the root. */
export function linkTarget(path: string, target: string): PathCheck {
  if (target === '') return { ok: false, why: 'has an empty link target' };
  if (target.includes('\0') || target.includes('\\')) return { ok: false, why: 'has a link target with NUL or a backslash' };
  if (target.startsWith('/')) return { ok: false, why: 'links to an absolute path' };
  const resolved = posix.normalize(posix.join(posix.dirname(path), target));
  if (resolved === '..' || resolved.startsWith('../')) return { ok: false, why: 'links outside the destination' };
  return { ok: true, path: resolved };
}

export interface ArchiveLimits {
  /** Entries of any type. */
  readonly maxEntries: number;
  /** Bytes of all files once unpacked. */
  readonly maxBytes: number;
}

/** Counts entries and unpacked bytes against the limits; each call says whether the archive is still within them. */
export class ArchiveBudget {
  private entries = 0;
  private bytes = 0;
  private readonly limits: ArchiveLimits;

  constructor(limits: ArchiveLimits) {
    this.limits = limits;
  }

  /** An entry more; false once there are more than maxEntries. */
  entry(): boolean {
    this.entries += 1;
    return this.entries <= this.limits.maxEntries;
  }

  /** `n` unpacked bytes more; false once there are more than maxBytes. */
  add(n: number): boolean {
    this.bytes += n;
    return this.bytes <= this.limits.maxBytes;
  }

  get used(): { entries: number; bytes: number } {
    return { entries: this.entries, bytes: this.bytes };
  }
}

/** The archive format a file name says, if any. */
export function archiveKind(name: string): 'tar.gz' | 'zip' | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  if (lower.endsWith('.zip')) return 'zip';
  return undefined;
}
