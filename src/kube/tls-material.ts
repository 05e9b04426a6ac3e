// The TLS settings of a connection whose CA, client certificate and key may be files that are rotated
// while the operator runs: inline data is fixed, files are followed (reloading-file.ts). A new client
// certificate is taken only once its key matches (the two files are rarely replaced at the same instant).
import { createSecureContext } from 'node:tls';
import { ReloadingFile } from './reloading-file.ts';
import type { TlsSettings } from './tls-dispatcher.ts';
import { errorMessage } from '../errors.ts';

/** Inline base64 data (wins, as in clientcmd), or a file to follow. */
export interface PemSource {
  readonly data?: string | null | undefined;
  readonly file?: string | null | undefined;
  /** For messages: "kubeconfig x: certificate-authority". */
  readonly what: string;
}

type Source = { readonly fixed: Buffer } | { readonly file: ReloadingFile } | undefined;

function open(source: PemSource): Source {
  if (source.data) return { fixed: Buffer.from(source.data, 'base64') };
  if (!source.file) return undefined;
  try {
    return { file: new ReloadingFile(source.file) };
  } catch (err) {
    throw new Error(`${source.what} ${source.file}: ${errorMessage(err)}`, { cause: err });
  }
}

function read(source: Source): { content: Buffer | undefined; changed: boolean } {
  if (!source) return { content: undefined, changed: false };
  if ('fixed' in source) return { content: source.fixed, changed: false };
  return source.file.read();
}

export class TlsMaterial {
  private readonly base: Pick<TlsSettings, 'servername' | 'rejectUnauthorized'>;
  private readonly ca: Source;
  private readonly cert: Source;
  private readonly key: Source;
  private current: TlsSettings;

  constructor(base: Pick<TlsSettings, 'servername' | 'rejectUnauthorized'>, ca: PemSource, cert: PemSource, key: PemSource) {
    this.base = base;
    this.ca = open(ca);
    this.cert = open(cert);
    this.key = open(key);
    this.current = this.compose(read(this.ca).content, read(this.cert).content, read(this.key).content);
  }

  get settings(): TlsSettings {
    return this.current;
  }

  /** Looks at the files; true when the settings changed (a new connection pool is due). */
  refresh(): boolean {
    const ca = read(this.ca);
    const cert = read(this.cert);
    const key = read(this.key);
    if (!ca.changed && !cert.changed && !key.changed) return false;
    let next = this.current;
    if (ca.changed) next = { ...next, ...(ca.content ? { ca: ca.content } : {}) };
    if ((cert.changed || key.changed) && cert.content && key.content && pairMatches(cert.content, key.content)) {
      next = { ...next, cert: cert.content, key: key.content };
    }
    if (next === this.current) return false;
    this.current = next;
    return true;
  }

  private compose(ca: Buffer | undefined, cert: Buffer | undefined, key: Buffer | undefined): TlsSettings {
    return { ...this.base, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  }
}

/** A certificate and key Node accepts together (it throws on a mismatched pair). */
function pairMatches(cert: Buffer, key: Buffer): boolean {
  try {
    createSecureContext({ cert, key });
    return true;
  } catch {
    return false;
  }
}
