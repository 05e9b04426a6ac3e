// Finding the cluster and the credentials: kubeconfig files (explicit, KUBECONFIG merged,
// ~/.kube/config), in-cluster config, relative paths, token files, the errors a user sees, and the
// auth-provider fallback through client-node. Temporary files only, no network.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, test } from 'node:test';
import { dump } from 'js-yaml';
import { loadClusterConnection, type ClusterConnection } from '../../../src/kube/cluster-connection.ts';
import { TokenFile } from '../../../src/kube/token-file.ts';

const root = mkdtempSync(join(tmpdir(), 'modelship-kubeconfig-'));
after(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;

/** A kubeconfig file in a fresh folder (plus other files in that folder). */
function kubeconfig(config: Record<string, unknown>, files: Record<string, string> = {}): string {
  const dir = join(root, `c${++seq}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const path = join(dir, 'config');
  writeFileSync(path, dump(config));
  return path;
}

function single(user: Record<string, unknown>, cluster: Record<string, unknown> = {}, context: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://api.example:6443', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', ...context } }],
    'current-context': 'ctx',
  };
}

/** An environment with no kubeconfig anywhere and no pod. */
const bare = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ HOME: join(root, 'no-home'), ...extra });
const noPod = { serviceAccountDir: join(root, 'no-service-account') };

async function headersOf(connection: ClusterConnection): Promise<Record<string, string>> {
  const { headers } = await connection.authenticate();
  return headers;
}

const connections: ClusterConnection[] = [];
after(() => Promise.all(connections.map((c) => c.close())));
function load(path?: string, env: NodeJS.ProcessEnv = bare(), options = noPod): ClusterConnection {
  const c = loadClusterConnection(path, env, options);
  connections.push(c);
  return c;
}

void test('a token user: server without trailing slash, namespace, bearer header', async () => {
  const path = kubeconfig(single({ token: 'abc' }, { server: 'https://api.example:6443/' }, { namespace: 'ml' }));
  const c = load(path);
  assert.equal(c.server, 'https://api.example:6443');
  assert.equal(c.namespace, 'ml');
  assert.match(c.description, /context ctx \(cluster c, user u\)/);
  assert.deepEqual(await headersOf(c), { authorization: 'Bearer abc' });
});

void test('a server with a path prefix keeps it; a bare host:port means https', () => {
  assert.equal(load(kubeconfig(single({}, { server: 'https://rancher.example/k8s/clusters/c-1/' }))).server, 'https://rancher.example/k8s/clusters/c-1');
  assert.equal(load(kubeconfig(single({}, { server: '10.0.0.1:6443' }))).server, 'https://10.0.0.1:6443');
});

void test('basic auth, impersonation, and a context without a user (anonymous)', async () => {
  assert.deepEqual(await headersOf(load(kubeconfig(single({ username: 'ada', password: 's3cret' })))), {
    authorization: `Basic ${Buffer.from('ada:s3cret').toString('base64')}`,
  });
  assert.deepEqual(await headersOf(load(kubeconfig(single({ token: 't', as: 'jane', 'as-uid': '42' })))), {
    authorization: 'Bearer t',
    'impersonate-user': 'jane',
    'impersonate-uid': '42',
  });
  const anonymous = single({});
  anonymous.contexts = [{ name: 'ctx', context: { cluster: 'c' } }];
  assert.deepEqual(await headersOf(load(kubeconfig(anonymous))), {});
});

void test('the headers object is fresh each time (callers add their own)', async () => {
  const c = load(kubeconfig(single({ token: 'abc' })));
  const first = await headersOf(c);
  first['content-type'] = 'application/json';
  assert.deepEqual(await headersOf(c), { authorization: 'Bearer abc' });
});

void test('relative paths resolve against the kubeconfig file’s folder, not the working directory', async () => {
  const path = kubeconfig(single({ tokenFile: 'secrets/token' }, { 'certificate-authority': 'pki/ca.crt' }), {
    'secrets/token': 'from-file\n',
    'pki/ca.crt': 'not a real certificate, only read',
  });
  assert.deepEqual(await headersOf(load(path)), { authorization: 'Bearer from-file' });
  // A missing relative file names the absolute path it looked for.
  const missing = kubeconfig(single({ token: 't' }, { 'certificate-authority': 'nowhere/ca.crt' }));
  assert.throws(() => load(missing), (err: Error) => err.message.includes(join(missing, '..', 'nowhere', 'ca.crt')));
});

void test('a token file wins over an inline token and is re-read at most once a minute', async () => {
  const path = kubeconfig(single({ token: 'inline', tokenFile: 'token' }), { token: 'first' });
  const c = load(path);
  assert.deepEqual(await headersOf(c), { authorization: 'Bearer first' });
  writeFileSync(join(path, '..', 'token'), 'second');
  // Within the minute the first token is still used (its re-read is covered below with a clock).
  assert.deepEqual(await headersOf(c), { authorization: 'Bearer first' });
});

void test('TokenFile: re-read after a minute; a failed or empty re-read keeps the last good token', () => {
  const dir = mkdtempSync(join(root, 'token-'));
  const file = join(dir, 'token');
  writeFileSync(file, 'one\n');
  let now = 0;
  const token = new TokenFile(file, () => now);
  assert.equal(token.token(), 'one');
  writeFileSync(file, 'two');
  now = 59_999;
  assert.equal(token.token(), 'one');
  now = 60_000;
  assert.equal(token.token(), 'two');
  writeFileSync(file, '');
  now = 120_000;
  assert.equal(token.token(), 'two', 'an empty file mid-rotation keeps the last token');
  rmSync(file);
  now = 180_000;
  assert.equal(token.token(), 'two', 'a missing file keeps the last token');
  assert.throws(() => new TokenFile(join(dir, 'never')).token(), /token file .*never/);
});

void test('KUBECONFIG: files merged, the first to define a name or a current-context wins, missing files skipped', async () => {
  const first = kubeconfig({
    clusters: [{ name: 'shared', cluster: { server: 'https://first.example' } }],
    users: [{ name: 'u', user: { token: 'first-token' } }],
  });
  const second = kubeconfig({
    clusters: [
      { name: 'shared', cluster: { server: 'https://second.example' } },
      { name: 'only-second', cluster: { server: 'https://only-second.example' } },
    ],
    users: [{ name: 'u', user: { token: 'second-token' } }],
    contexts: [
      { name: 'a', context: { cluster: 'shared', user: 'u', namespace: 'from-second' } },
      { name: 'b', context: { cluster: 'only-second', user: 'u' } },
    ],
    'current-context': 'a',
  });
  const third = kubeconfig({ 'current-context': 'b' });
  const list = [join(root, 'does-not-exist'), first, '', second, third].join(delimiter);
  const c = load(undefined, bare({ KUBECONFIG: list }));
  assert.equal(c.server, 'https://first.example');
  assert.equal(c.namespace, 'from-second');
  assert.deepEqual(await headersOf(c), { authorization: 'Bearer first-token' });
  assert.match(c.description, new RegExp(`kubeconfig ${first}${delimiter}${second}${delimiter}${third}`));
  // The third file's current-context counts only when no earlier file set one.
  assert.equal(load(undefined, bare({ KUBECONFIG: [first, third, second].join(delimiter) })).server, 'https://only-second.example');
  assert.throws(() => load(undefined, bare({ KUBECONFIG: join(root, 'nope') })), /KUBECONFIG=.*nope names no existing file/);
});

void test('an explicit path wins over KUBECONFIG; ~/.kube/config is used when KUBECONFIG is unset', () => {
  const explicit = kubeconfig(single({}, { server: 'https://explicit.example' }));
  const fromEnv = kubeconfig(single({}, { server: 'https://env.example' }));
  assert.equal(load(explicit, bare({ KUBECONFIG: fromEnv })).server, 'https://explicit.example');
  const home = join(root, 'home');
  mkdirSync(join(home, '.kube'), { recursive: true });
  writeFileSync(join(home, '.kube', 'config'), dump(single({}, { server: 'https://home.example' })));
  assert.equal(load(undefined, { HOME: home }).server, 'https://home.example');
  assert.equal(load(undefined, { HOME: home, KUBECONFIG: fromEnv }).server, 'https://env.example');
});

void test('in-cluster: service host and port, the ServiceAccount token (rotating), CA and namespace', async () => {
  const sa = join(root, 'serviceaccount');
  mkdirSync(sa, { recursive: true });
  writeFileSync(join(sa, 'token'), 'sa-token');
  writeFileSync(join(sa, 'ca.crt'), 'ca');
  writeFileSync(join(sa, 'namespace'), 'modelship-system');
  const env = bare({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' });
  const c = load(undefined, env, { serviceAccountDir: sa });
  assert.equal(c.server, 'https://10.96.0.1:443');
  assert.equal(c.namespace, 'modelship-system');
  assert.match(c.description, /in-cluster/);
  assert.deepEqual(await headersOf(c), { authorization: 'Bearer sa-token' });
  assert.equal(load(undefined, bare({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }), { serviceAccountDir: sa }).server, 'https://[fd00::1]:443');
  // Without the service environment this is not a pod.
  assert.throws(() => load(undefined, bare(), { serviceAccountDir: sa }), /no kubeconfig: .*not a pod/);
});

void test('errors name the file and what is wrong', () => {
  const cases: [Record<string, unknown> | string, RegExp][] = [
    [{ ...single({}), 'current-context': undefined }, /: no current-context is set/],
    [{ ...single({}), 'current-context': 'nope' }, /: current-context nope is not defined/],
    [{ ...single({}), clusters: [] }, /: context ctx names cluster c, which is not defined/],
    [{ ...single({}), users: [{ name: 'other', user: {} }] }, /: context ctx names user u, which is not defined/],
    [{ ...single({}), clusters: [{ name: 'c', cluster: {} }] }, /: clusters\[0\]\.cluster\.server: is required/],
    [{ ...single({}), clusters: [{ name: 'c', cluster: { server: 'https://a' } }, { name: 'c', cluster: { server: 'https://b' } }] }, /: cluster c is defined twice/],
    [single({ token: 't', username: 'u', password: 'p' }), /user u: both a token and a username\/password/],
    [single({ 'client-certificate-data': Buffer.from('cert').toString('base64') }), /user u: a client certificate needs a client key/],
    [single({ 'as-groups': ['admins'] }), /as-groups, as-user-extra\) is not supported/],
    [single({ tokenFile: '/nonexistent/token' }), /token file \/nonexistent\/token/],
    [single({ exec: { command: 'x', apiVersion: 'client.authentication.k8s.io/v1alpha1' } }), /exec plugin apiVersion client\.authentication\.k8s\.io\/v1alpha1 is not supported/],
    [single({ exec: { command: 'x', apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Always' } }), /needs a terminal/],
    [single({}, { 'proxy-url': 'socks5://proxy:1080' }), /SOCKS proxies are not supported/],
    [single({}, { server: 'ftp://files.example' }), /server ftp:\/\/files\.example must be an https/],
    ['clusters: [unclosed', /not valid YAML/],
  ];
  for (const [config, expected] of cases) {
    const path = typeof config === 'string' ? join(root, `raw-${++seq}`) : kubeconfig(config);
    if (typeof config === 'string') writeFileSync(path, config);
    assert.throws(() => load(path), (err: Error) => {
      assert.match(err.message, expected);
      assert.ok(err.message.startsWith(`kubeconfig ${path}`), `"${err.message}" names the file`);
      return true;
    });
  }
  assert.throws(() => load(join(root, 'missing-file')), /kubeconfig .*missing-file: cannot read it/);
  assert.throws(() => load(undefined), /no kubeconfig: --kubeconfig is not given, KUBECONFIG is not set/);
});

void test('an http(s) proxy-url is accepted (requests go through undici’s ProxyAgent)', () => {
  assert.doesNotThrow(() => load(kubeconfig(single({ token: 't' }, { 'proxy-url': 'http://proxy.example:3128' }))));
});

void test('a legacy auth-provider user is authenticated by client-node, loaded on first use', async () => {
  // client-node's FileAuth provider: the simplest auth-provider that needs no network.
  const path = kubeconfig(single({ 'auth-provider': { name: 'file', config: { tokenFile: join(root, 'provider-token') } } }));
  writeFileSync(join(root, 'provider-token'), 'provider-token-value');
  const c = load(path);
  assert.deepEqual(await headersOf(c), { authorization: 'Bearer provider-token-value' });
});
