// Exec credential plugins, run for real (a small node script, exec-plugin-fixture.ts, that counts its
// runs): the credential is cached until shortly before it expires, concurrent callers share one run,
// the plugin sees KUBERNETES_EXEC_INFO and its env, and failures say what went wrong.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { loadClusterConnection, type ClusterConnection } from '../../../src/kube/cluster-connection.ts';
import { EXEC_REFRESH_MARGIN_MS, ExecCredentialPlugin } from '../../../src/kube/exec-credential.ts';
import type { FixtureAnswer } from './exec-plugin-fixture.ts';

const FIXTURE = fileURLToPath(new URL('./exec-plugin-fixture.ts', import.meta.url));
const V1 = 'client.authentication.k8s.io/v1';
const root = mkdtempSync(join(tmpdir(), 'modelship-exec-'));
after(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;

interface Plugin {
  readonly dir: string;
  answer(a: FixtureAnswer): void;
  runs(): number;
  env(): { KUBERNETES_EXEC_INFO?: string; FIXTURE_ENV?: string };
}

function plugin(answer: FixtureAnswer): Plugin {
  const dir = join(root, `p${++seq}`);
  mkdirSync(dir, { recursive: true });
  const p: Plugin = {
    dir,
    answer: (a) => writeFileSync(join(dir, 'answer.json'), JSON.stringify(a)),
    runs: () => {
      try {
        return Number(readFileSync(join(dir, 'count'), 'utf8'));
      } catch {
        return 0;
      }
    },
    env: () => JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8')) as ReturnType<Plugin['env']>,
  };
  p.answer(answer);
  return p;
}

const connections: ClusterConnection[] = [];
after(() => Promise.all(connections.map((c) => c.close())));

function connect(p: Plugin, exec: Record<string, unknown> = {}, cluster: Record<string, unknown> = {}): ClusterConnection {
  const path = join(p.dir, 'kubeconfig');
  writeFileSync(
    path,
    dump({
      clusters: [{ name: 'c', cluster: { server: 'https://api.example:6443', ...cluster } }],
      users: [{ name: 'u', user: { exec: { apiVersion: V1, command: process.execPath, args: [FIXTURE, p.dir], ...exec } } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'ctx',
    }),
  );
  const c = loadClusterConnection(path, { HOME: root, PATH: process.env.PATH });
  connections.push(c);
  return c;
}

const bearer = async (c: ClusterConnection) => (await c.authenticate()).headers.authorization;

void test('the token is cached until it nears expiry: one run for many requests', async () => {
  const p = plugin({ token: 'tok', expiresInSeconds: 3600 });
  const c = connect(p);
  assert.equal(p.runs(), 0, 'the plugin runs on the first request, not at load');
  for (let i = 0; i < 5; i++) assert.equal(await bearer(c), 'Bearer tok-1');
  assert.equal(p.runs(), 1);
});

void test('a credential is refreshed once within the margin before expirationTimestamp, not before', async () => {
  const p = plugin({ token: 'tok', expiresInSeconds: 120 });
  let offset = 0;
  const exec = { apiVersion: V1, command: process.execPath, args: [FIXTURE, p.dir] };
  const source = new ExecCredentialPlugin(exec, { origin: 'test', cluster: { server: 'https://x' }, now: () => Date.now() + offset });
  assert.equal((await source.credential()).token, 'tok-1');
  offset = 120_000 - EXEC_REFRESH_MARGIN_MS - 2000;
  assert.equal((await source.credential()).token, 'tok-1', 'still well before the margin');
  offset = 120_000 - EXEC_REFRESH_MARGIN_MS + 2000;
  assert.equal((await source.credential()).token, 'tok-2', 'inside the margin: run again');
  assert.equal(p.runs(), 2);
});

void test('without expirationTimestamp the credential is kept (as client-go keeps it)', async () => {
  const p = plugin({ token: 'forever' });
  let offset = 0;
  const source = new ExecCredentialPlugin({ apiVersion: V1, command: process.execPath, args: [FIXTURE, p.dir] }, { origin: 'test', cluster: { server: 'https://x' }, now: () => Date.now() + offset });
  await source.credential();
  offset = 365 * 86_400_000;
  assert.equal((await source.credential()).token, 'forever-1');
  assert.equal(p.runs(), 1);
});

void test('concurrent requests while the plugin runs share that one run', async () => {
  const p = plugin({ token: 'shared', expiresInSeconds: 3600, delayMs: 300 });
  const c = connect(p);
  const all = await Promise.all(Array.from({ length: 8 }, () => bearer(c)));
  assert.deepEqual(new Set(all), new Set(['Bearer shared-1']));
  assert.equal(p.runs(), 1);
});

void test('the plugin gets KUBERNETES_EXEC_INFO (non-interactive, cluster info on request), its env, and the v1beta1 API', async () => {
  const p = plugin({ token: 't', expiresInSeconds: 3600 });
  const c = connect(p, { apiVersion: 'client.authentication.k8s.io/v1beta1', env: [{ name: 'FIXTURE_ENV', value: 'from-kubeconfig' }], provideClusterInfo: true }, {
    'tls-server-name': 'kube.internal',
    extensions: [{ name: 'client.authentication.k8s.io/exec', extension: { audience: 'modelship' } }],
  });
  assert.equal(await bearer(c), 'Bearer t-1');
  const env = p.env();
  assert.equal(env.FIXTURE_ENV, 'from-kubeconfig');
  assert.deepEqual(JSON.parse(env.KUBERNETES_EXEC_INFO ?? '{}'), {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    kind: 'ExecCredential',
    spec: { interactive: false, cluster: { server: 'https://api.example:6443', 'tls-server-name': 'kube.internal', config: { audience: 'modelship' } } },
  });
  // Without provideClusterInfo, no cluster.
  const q = plugin({ token: 't' });
  await bearer(connect(q));
  assert.deepEqual(JSON.parse(q.env().KUBERNETES_EXEC_INFO ?? '{}'), { apiVersion: V1, kind: 'ExecCredential', spec: { interactive: false } });
});

void test('a relative command path resolves against the kubeconfig’s folder', async () => {
  const p = plugin({ token: 'relative' });
  mkdirSync(join(p.dir, 'bin'));
  const script = join(p.dir, 'bin', 'plugin');
  writeFileSync(script, `#!/bin/sh\nexec "${process.execPath}" "${FIXTURE}" "$@"\n`);
  chmodSync(script, 0o755);
  assert.equal(await bearer(connect(p, { command: 'bin/plugin', args: [p.dir] })), 'Bearer relative-1');
});

void test('failures name the plugin and say why; a failed run is not cached', async () => {
  const p = plugin({ exitCode: 3, stderr: 'error: you must be logged in' });
  const c = connect(p);
  await assert.rejects(bearer(c), (err: Error) => {
    assert.match(err.message, /user u: exec plugin .* exited with 3: error: you must be logged in/);
    return true;
  });
  p.answer({ token: 'recovered' });
  assert.equal(await bearer(c), 'Bearer recovered-2');

  const cases: [FixtureAnswer, RegExp][] = [
    [{ stdout: 'Please log in at https://example/device' }, /output is not JSON/],
    [{ token: 't', apiVersion: 'client.authentication.k8s.io/v1beta1' }, /answered with apiVersion client\.authentication\.k8s\.io\/v1beta1, not client\.authentication\.k8s\.io\/v1/],
    [{ expiresInSeconds: 60 }, /neither a token nor a client certificate/],
    [{ stdout: JSON.stringify({ apiVersion: V1, kind: 'Status', status: {} }) }, /not an ExecCredential: kind/],
  ];
  for (const [answer, expected] of cases) await assert.rejects(bearer(connect(plugin(answer))), expected);

  const missing = plugin({});
  await assert.rejects(bearer(connect(missing, { command: 'modelship-no-such-plugin', args: [], installHint: 'Install it with: brew install no-such-plugin' })), /modelship-no-such-plugin: command not found\nInstall it with: brew install no-such-plugin/);
});
