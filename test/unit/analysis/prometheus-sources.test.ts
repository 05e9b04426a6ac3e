// The platform's analysis sources: the file read at start-up, the user-address patterns and which
// Prometheus (with which credentials) one ModelDeployment gets. Pure: no Secret is read here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addressAllowed,
  analysisSourceSettings,
  chooseSource,
  noAnalysisSources,
  parseAddressPattern,
  parsePrometheusSources,
  type AddressPattern,
  type AnalysisSourceSettings,
} from '../../../src/analysis/prometheus-sources.ts';
import { parseConfig } from '../../../src/config.ts';

const FILE = `
sources:
  - name: main
    address: https://prometheus.monitoring:9090
    bearerTokenSecret: { name: prom-token, key: token }
    caSecret: { name: prom-ca, key: ca.crt }
    default: true
  - name: team-b
    address: http://thanos.team-b:10902/prefix
`;

void test('the sources file: names, addresses, Secret references and the default', () => {
  const r = parsePrometheusSources(FILE, 'sources.yaml');
  assert.ok(r.ok, r.ok ? '' : r.errors.join('\n'));
  assert.deepEqual(r.sources, [
    { name: 'main', address: 'https://prometheus.monitoring:9090', bearerTokenSecret: { name: 'prom-token', key: 'token' }, caSecret: { name: 'prom-ca', key: 'ca.crt' }, default: true },
    { name: 'team-b', address: 'http://thanos.team-b:10902/prefix' },
  ]);
  const empty = parsePrometheusSources('', 'sources.yaml');
  assert.deepEqual(empty, { ok: true, sources: [] });
});

void test('the sources file: unknown fields, duplicate names, two defaults, bad values and bad YAML are errors naming the place', () => {
  const errors = (text: string) => {
    const r = parsePrometheusSources(text, 'sources.yaml');
    assert.ok(!r.ok, 'expected errors');
    return r.errors.join('\n');
  };
  assert.match(errors('sources:\n  - name: a\n    address: http://p:9090\n    token: x\n'), /sources\.yaml: sources\[0\]: unknown field token/);
  assert.match(errors('source: []\n'), /unknown field source/);
  assert.match(errors('sources:\n  - name: a\n    address: http://p:9090\n  - name: a\n    address: http://q:9090\n'), /two sources are named a/);
  assert.match(errors('sources:\n  - {name: a, address: "http://p:9090", default: true}\n  - {name: b, address: "http://q:9090", default: true}\n'), /only one source may be the default, not a and b/);
  assert.match(errors('sources:\n  - {name: A_b, address: "http://p:9090"}\n'), /sources\[0\]\.name: must be a name/);
  assert.match(errors('sources:\n  - {name: a, address: "prometheus:9090"}\n'), /sources\[0\]\.address: must be an http/);
  assert.match(errors('sources:\n  - {name: a, address: "http://user:pw@p:9090"}\n'), /without user/);
  assert.match(errors('sources:\n  - {name: a, address: "http://p:9090", bearerTokenSecret: {name: t}}\n'), /bearerTokenSecret\.key/);
  assert.match(errors('sources: [\n'), /sources\.yaml: not YAML/);
});

void test('--prometheus-address is a default source named default; with a default in the file it is refused', () => {
  const base = { namespace: 'modelship-system', userAddresses: [], userSecrets: false };
  const only = analysisSourceSettings({ ...base, prometheusAddress: 'http://prometheus:9090' });
  assert.ok(only.ok);
  assert.deepEqual(only.settings.sources, [{ name: 'default', address: 'http://prometheus:9090', default: true }]);
  const both = analysisSourceSettings({ ...base, prometheusAddress: 'http://prometheus:9090', file: { path: 'sources.yaml', text: FILE } });
  assert.ok(!both.ok);
  assert.match(both.errors.join(), /--prometheus-address and the source main of sources\.yaml are both a default/);
  const noDefault = analysisSourceSettings({ ...base, prometheusAddress: 'http://prometheus:9090', file: { path: 's', text: 'sources: [{name: x, address: "http://x:1"}]' } });
  assert.ok(noDefault.ok);
  assert.deepEqual(noDefault.settings.sources.map((s) => s.name), ['x', 'default']);
});

const patterns = (...texts: string[]): AddressPattern[] => texts.map((t) => parseAddressPattern(t)!);

void test('address patterns: scheme, host and port must match; * only as a leading label; any path', () => {
  assert.equal(parseAddressPattern('prometheus:9090'), undefined);
  assert.equal(parseAddressPattern('http://prometheus:9090/api'), undefined, 'no path');
  assert.equal(parseAddressPattern('http://prom*.example.com'), undefined, 'no * inside a label');
  assert.equal(parseAddressPattern('http://*'), undefined, 'no bare *');
  assert.equal(parseAddressPattern('http://a.*.example.com'), undefined);
  assert.equal(parseAddressPattern('http://p:99999'), undefined);
  assert.equal(parseAddressPattern('ftp://p'), undefined);

  const allowed = patterns('http://prometheus.team-a:9090', 'https://*.prom.example.com', 'http://127.0.0.1:9', 'https://[::1]:8443');
  for (const ok of [
    'http://prometheus.team-a:9090',
    'http://prometheus.team-a:9090/some/prefix',
    'http://PROMETHEUS.team-a:9090/',
    'https://eu.prom.example.com',
    'https://a.b.prom.example.com:443/x',
    'http://127.0.0.1:9',
    'https://[::1]:8443',
  ]) {
    assert.ok(addressAllowed(ok, allowed), ok);
  }
  for (const no of [
    'https://prometheus.team-a:9090', // another scheme
    'http://prometheus.team-a:9091', // another port
    'http://prometheus.team-a', // the default port is not 9090
    'http://prometheus.team-a.evil.example:9090',
    'http://evilprometheus.team-a:9090',
    'https://prom.example.com', // the wildcard needs a label in front
    'https://evil-prom.example.com',
    'http://eu.prom.example.com', // http, not https
    'https://eu.prom.example.com:8443',
    'https://eu.prom.example.com.evil.example',
    'http://user:pw@prometheus.team-a:9090',
    'http://127.0.0.2:9',
    'not a url',
  ]) {
    assert.ok(!addressAllowed(no, allowed), no);
  }
  // An explicit default port in the pattern is the same as none.
  assert.ok(addressAllowed('https://p.example.com/', patterns('https://p.example.com:443')));
});

const SETTINGS: AnalysisSourceSettings = {
  ...noAnalysisSources('modelship-system'),
  sources: [
    { name: 'main', address: 'https://prometheus.monitoring:9090', bearerTokenSecret: { name: 'prom-token', key: 'token' }, default: true },
    { name: 'team-b', address: 'http://thanos.team-b:10902' },
  ],
};

void test('choosing: a source by name, the default, or refused as unknown with the known ones listed', () => {
  assert.deepEqual(chooseSource({ source: 'team-b' }, SETTINGS), { kind: 'platform', source: SETTINGS.sources[1] });
  assert.deepEqual(chooseSource(undefined, SETTINGS), { kind: 'platform', source: SETTINGS.sources[0] });
  assert.deepEqual(chooseSource({}, SETTINGS), { kind: 'platform', source: SETTINGS.sources[0] });
  const unknown = chooseSource({ source: 'nope' }, SETTINGS);
  assert.equal(unknown.kind, 'refused');
  assert.equal(unknown.kind === 'refused' && unknown.reason, 'UnknownAnalysisSource');
  assert.equal(unknown.kind === 'refused' && unknown.message, "there is no analysis source named nope: the platform's sources are main, team-b (default main)");
  const none = chooseSource(undefined, { ...SETTINGS, sources: [SETTINGS.sources[1]!] });
  assert.equal(none.kind === 'refused' && none.reason, 'UnknownAnalysisSource');
  assert.match(none.kind === 'refused' ? none.message : '', /no Prometheus to ask: .* no default; the platform's sources are team-b$/);
  const nothing = chooseSource({ source: 'main' }, noAnalysisSources('x'));
  assert.match(nothing.kind === 'refused' ? nothing.message : '', /the platform configured no analysis sources/);
});

void test('choosing: a user address is off by default, then allowed by pattern, and its Secrets only when user Secrets are on', () => {
  const spec = { address: 'http://prometheus.team-a:9090', bearerTokenSecret: { name: 'mine', key: 'token' } };
  const off = chooseSource({ address: spec.address }, SETTINGS);
  assert.equal(off.kind === 'refused' && off.reason, 'AddressNotAllowed');
  assert.match(off.kind === 'refused' ? off.message : '', /does not allow a Prometheus address in the ModelDeployment: name a source with prometheus\.source/);

  const allowing = { ...SETTINGS, userAddresses: patterns('http://prometheus.team-a:9090') };
  const elsewhere = chooseSource({ address: 'http://prometheus.team-b:9090' }, allowing);
  assert.equal(elsewhere.kind === 'refused' && elsewhere.reason, 'AddressNotAllowed');
  assert.match(elsewhere.kind === 'refused' ? elsewhere.message : '', /allowed: http:\/\/prometheus\.team-a:9090$/);
  assert.deepEqual(chooseSource({ address: spec.address, insecureSkipVerify: true }, allowing), { kind: 'user', address: spec.address, insecureSkipVerify: true });

  const secret = chooseSource(spec, allowing);
  assert.equal(secret.kind === 'refused' && secret.reason, 'SecretNotAllowed');
  assert.match(secret.kind === 'refused' ? secret.message : '', /Secret mine was not read/);
  const ca = chooseSource({ address: spec.address, caSecret: { name: 'ca', key: 'ca.crt' } }, allowing);
  assert.equal(ca.kind === 'refused' && ca.reason, 'SecretNotAllowed');

  // User Secrets on: chosen, the label is checked when the Secret is read (fetch-measurement.ts).
  assert.deepEqual(chooseSource(spec, { ...allowing, userSecrets: true }), { kind: 'user', address: spec.address, bearerTokenSecret: spec.bearerTokenSecret });
});

void test('flags: --prometheus-user-addresses, --prometheus-user-secrets, --operator-namespace, --prometheus-sources', () => {
  const env = { HOSTNAME: 'h' };
  const parsed = parseConfig(['--prometheus-user-addresses=http://p.team-a:9090, https://*.prom.example.com', '--prometheus-user-secrets', '--prometheus-sources=/etc/modelship/sources.yaml'], env);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('\n'));
  assert.deepEqual(parsed.config.prometheusUserAddresses.map((p) => p.text), ['http://p.team-a:9090', 'https://*.prom.example.com']);
  assert.equal(parsed.config.prometheusUserSecrets, true);
  assert.equal(parsed.config.prometheusSources, '/etc/modelship/sources.yaml');
  assert.equal(parsed.config.operatorNamespace, 'modelship-system');
  const defaults = parseConfig([], { ...env, POD_NAMESPACE: 'platform' });
  assert.ok(defaults.ok);
  assert.deepEqual(defaults.config.prometheusUserAddresses, []);
  assert.equal(defaults.config.prometheusUserSecrets, false);
  assert.equal(defaults.config.operatorNamespace, 'platform');
  const bad = parseConfig(['--prometheus-user-addresses=http://p:9090/api'], env);
  assert.ok(!bad.ok);
  assert.match(bad.errors.join(), /--prometheus-user-addresses: "http:\/\/p:9090\/api" is not an address pattern: scheme:\/\/host\[:port\] without a path/);
});
