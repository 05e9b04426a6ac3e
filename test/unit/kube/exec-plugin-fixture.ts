// A kubeconfig exec credential plugin for tests: `node exec-plugin-fixture.ts <state dir>`. Counts its
// runs in <state dir>/count, records its environment in <state dir>/env.json, and answers as
// <state dir>/answer.json says (token, client certificate files, lifetime, apiVersion, failure).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FixtureAnswer {
  readonly token?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Seconds from now; no expirationTimestamp when absent. */
  readonly expiresInSeconds?: number;
  readonly apiVersion?: string;
  readonly exitCode?: number;
  readonly stderr?: string;
  readonly stdout?: string;
  /** Milliseconds to take before answering. */
  readonly delayMs?: number;
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: exec-plugin-fixture.ts <state dir>');
const countFile = join(dir, 'count');
const runs = (existsSync(countFile) ? Number(readFileSync(countFile, 'utf8')) : 0) + 1;
writeFileSync(countFile, String(runs));
writeFileSync(join(dir, 'env.json'), JSON.stringify({ KUBERNETES_EXEC_INFO: process.env.KUBERNETES_EXEC_INFO, FIXTURE_ENV: process.env.FIXTURE_ENV }));
const answer = JSON.parse(readFileSync(join(dir, 'answer.json'), 'utf8')) as FixtureAnswer;
if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
if (answer.stderr) process.stderr.write(answer.stderr);
if (answer.exitCode) process.exit(answer.exitCode);
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO ?? '{}') as { apiVersion?: string };
process.stdout.write(
  answer.stdout ??
    JSON.stringify({
      apiVersion: answer.apiVersion ?? info.apiVersion,
      kind: 'ExecCredential',
      status: {
        ...(answer.token ? { token: `${answer.token}-${runs}` } : {}),
        ...(answer.certFile && answer.keyFile ? { clientCertificateData: readFileSync(answer.certFile, 'utf8'), clientKeyData: readFileSync(answer.keyFile, 'utf8') } : {}),
        ...(answer.expiresInSeconds !== undefined ? { expirationTimestamp: new Date(Date.now() + answer.expiresInSeconds * 1000).toISOString() } : {}),
      },
    }),
);
