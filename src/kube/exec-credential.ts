// Credentials from a kubeconfig exec plugin (client.authentication.k8s.io v1 or v1beta1: aws eks
// get-token, gke-gcloud-auth-plugin, kubelogin, ...), run as client-go runs them: KUBERNETES_EXEC_INFO
// in the environment, never interactive, an ExecCredential on stdout. The credential is kept until
// shortly before its expirationTimestamp (for ever without one, as client-go keeps it); callers
// waiting while the plugin runs share that one run.
import { spawn } from 'node:child_process';
import { z } from 'zod';
import type { KubeconfigExec } from './kubeconfig-file.ts';
import { boundedTimeout } from './timer-delay.ts';
import { errorMessage } from '../errors.ts';

const SUPPORTED = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

/** Refresh this long before expiry (at most half the credential's remaining life). */
export const EXEC_REFRESH_MARGIN_MS = 30_000;

const text = z.string().nullish();
const execCredentialSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('ExecCredential'),
  status: z.looseObject({ token: text, clientCertificateData: text, clientKeyData: text, expirationTimestamp: text }),
});

export interface ExecCredential {
  readonly token?: string;
  /** PEM, both or neither. */
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
  /** Wall-clock ms; undefined when the plugin gave none. */
  readonly expiresAt?: number;
}

/** spec.cluster of KUBERNETES_EXEC_INFO, sent when the kubeconfig sets provideClusterInfo. */
export interface ExecClusterInfo {
  readonly server: string;
  readonly 'tls-server-name'?: string;
  readonly 'insecure-skip-tls-verify'?: boolean;
  readonly 'certificate-authority-data'?: string;
  readonly 'proxy-url'?: string;
  readonly config?: unknown;
}

export interface ExecPluginOptions {
  /** "kubeconfig /x, user u", for messages. */
  readonly origin: string;
  readonly cluster: ExecClusterInfo;
  readonly env?: NodeJS.ProcessEnv;
  /** Wall clock, in ms: expirationTimestamp is wall-clock time. */
  readonly now?: () => number;
  readonly timeoutMs?: number;
}

export class ExecCredentialPlugin {
  private readonly exec: KubeconfigExec;
  private readonly options: ExecPluginOptions;
  private readonly now: () => number;
  private cached: { credential: ExecCredential; refreshAt: number } | undefined;
  private running: Promise<ExecCredential> | undefined;

  constructor(exec: KubeconfigExec, options: ExecPluginOptions) {
    if (!SUPPORTED.includes(exec.apiVersion)) {
      throw new Error(`${options.origin}: exec plugin apiVersion ${exec.apiVersion} is not supported (use ${SUPPORTED.join(' or ')})`);
    }
    if (exec.interactiveMode === 'Always') {
      throw new Error(`${options.origin}: exec plugin ${exec.command} needs a terminal (interactiveMode: Always), which the operator does not have`);
    }
    this.exec = exec;
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** Forgets the cached credential (the API server refused it with 401): the next call runs the plugin. */
  invalidate(): void {
    this.cached = undefined;
  }

  /** A valid credential, from the cache or a fresh run of the plugin. */
  async credential(): Promise<ExecCredential> {
    if (this.cached && this.now() < this.cached.refreshAt) return this.cached.credential;
    this.running ??= this.run()
      .then((credential) => {
        const left = credential.expiresAt === undefined ? Infinity : credential.expiresAt - this.now();
        this.cached = { credential, refreshAt: this.now() + left - Math.min(EXEC_REFRESH_MARGIN_MS, left / 2) };
        return credential;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private run(): Promise<ExecCredential> {
    const { command, args, env, apiVersion, installHint, provideClusterInfo } = this.exec;
    const info = { apiVersion, kind: 'ExecCredential', spec: { interactive: false, ...(provideClusterInfo ? { cluster: this.options.cluster } : {}) } };
    const childEnv: NodeJS.ProcessEnv = { ...(this.options.env ?? process.env), KUBERNETES_EXEC_INFO: JSON.stringify(info) };
    for (const e of env ?? []) childEnv[e.name] = e.value;
    const what = `${this.options.origin}: exec plugin ${command}`;
    return new Promise((resolve, reject) => {
      const child = spawn(command, args ?? [], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      // Our own timer: spawn's `timeout` option is not cleared when the command cannot start.
      const timer = boundedTimeout(() => child.kill('SIGTERM'), this.options.timeoutMs ?? 60_000);
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4096)));
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const hint = err.code === 'ENOENT' && installHint ? `\n${installHint}` : '';
        reject(new Error(`${what}: ${err.code === 'ENOENT' ? 'command not found' : err.message}${hint}`, { cause: err }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code !== 0) {
          const why = signal ? `was killed by ${signal}${signal === 'SIGTERM' ? ' (timed out?)' : ''}` : `exited with ${code}`;
          reject(new Error(`${what} ${why}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
          return;
        }
        try {
          resolve(this.parse(stdout));
        } catch (err) {
          reject(new Error(`${what}: ${errorMessage(err)}`, { cause: err }));
        }
      });
    });
  }

  private parse(stdout: string): ExecCredential {
    let json: unknown;
    try {
      json = JSON.parse(stdout);
    } catch {
      throw new Error(`its output is not JSON: ${stdout.slice(0, 200)}`);
    }
    const parsed = execCredentialSchema.safeParse(json);
    if (!parsed.success) throw new Error(`its output is not an ExecCredential: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    const { apiVersion, status } = parsed.data;
    if (apiVersion !== this.exec.apiVersion) throw new Error(`it answered with apiVersion ${apiVersion}, not ${this.exec.apiVersion}`);
    const cert = status.clientCertificateData || undefined;
    const key = status.clientKeyData || undefined;
    if (!cert !== !key) throw new Error('it gave a client certificate without a key, or a key without a certificate');
    if (!status.token && !cert) throw new Error('it gave neither a token nor a client certificate');
    let expiresAt: number | undefined;
    if (status.expirationTimestamp) {
      expiresAt = Date.parse(status.expirationTimestamp);
      if (Number.isNaN(expiresAt)) throw new Error(`expirationTimestamp ${status.expirationTimestamp} is not a time`);
    }
    return {
      ...(status.token ? { token: status.token } : {}),
      ...(cert && key ? { clientCertificateData: cert, clientKeyData: key } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    };
  }
}
