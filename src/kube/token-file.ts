// A bearer token kept in a file that is rotated under the process (a projected ServiceAccount token
// is replaced well before it expires): re-read at most once a minute, like client-go's
// cachingTokenSource. After the first read, a failed or empty re-read keeps the last good token.
import { readFileSync } from 'node:fs';
import { errorMessage } from '../errors.ts';

export const TOKEN_FILE_REREAD_MS = 60_000;

export class TokenFile {
  readonly path: string;
  private readonly now: () => number;
  private readonly rereadMs: number;
  private current: string | undefined;
  private readAt = 0;

  constructor(path: string, now: () => number = () => performance.now(), rereadMs = TOKEN_FILE_REREAD_MS) {
    this.path = path;
    this.now = now;
    this.rereadMs = rereadMs;
  }

  /** The token; throws only when there has never been a good one. `force` re-reads now (after a 401). */
  token(force = false): string {
    if (!force && this.current !== undefined && this.now() - this.readAt < this.rereadMs) return this.current;
    try {
      // Small and read once a minute at most: a synchronous read costs less than a promise per request.
      const token = readFileSync(this.path, 'utf8').trim();
      if (!token) throw new Error('the file is empty');
      this.current = token;
    } catch (err) {
      if (this.current === undefined) {
        throw new Error(`token file ${this.path}: ${errorMessage(err)}`, { cause: err });
      }
    }
    this.readAt = this.now();
    return this.current;
  }
}
