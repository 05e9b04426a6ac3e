// A file the operator must follow as it is replaced under it (a rotated CA bundle, client certificate
// or key, as cert-manager or a kubelet-projected volume rewrite them): re-read when its inode, size or
// mtime change, looked at no more than once per `recheckMs`. A failed or empty re-read (a rename half
// done) keeps the last good content.
import { readFileSync, statSync } from 'node:fs';

export const FILE_RECHECK_MS = 1_000;

export class ReloadingFile {
  readonly path: string;
  private readonly recheckMs: number;
  private readonly now: () => number;
  private content: Buffer;
  private stamp: string;
  private checkedAt: number;

  /** Throws when the file cannot be read the first time. */
  constructor(path: string, recheckMs = FILE_RECHECK_MS, now: () => number = () => performance.now()) {
    this.path = path;
    this.recheckMs = recheckMs;
    this.now = now;
    this.stamp = stampOf(path);
    this.content = readFileSync(path);
    this.checkedAt = now();
  }

  /** The current content; `changed` is true when it differs from what was last returned. */
  read(): { content: Buffer; changed: boolean } {
    if (this.now() - this.checkedAt < this.recheckMs) return { content: this.content, changed: false };
    this.checkedAt = this.now();
    let stamp: string;
    try {
      stamp = stampOf(this.path);
    } catch {
      return { content: this.content, changed: false };
    }
    if (stamp === this.stamp) return { content: this.content, changed: false };
    try {
      const content = readFileSync(this.path);
      if (content.length === 0) return { content: this.content, changed: false };
      this.stamp = stamp;
      const changed = !content.equals(this.content);
      this.content = content;
      return { content, changed };
    } catch {
      return { content: this.content, changed: false };
    }
  }
}

function stampOf(path: string): string {
  const st = statSync(path);
  return `${st.ino}:${st.size}:${st.mtimeMs}`;
}
