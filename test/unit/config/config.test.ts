import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configHelp, leaseNameFor, parseConfig, wantsHelp } from '../../../src/config.ts';
import type { OperatorConfig } from '../../../src/config.ts';
import { DEFAULT_FETCHER_IMAGE } from '../../../src/render/index.ts';

const ENV = { HOSTNAME: 'modelship-7f9c-abcde' };

function ok(argv: string[], env: Record<string, string | undefined> = ENV): OperatorConfig {
  const result = parseConfig(argv, env);
  assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
  return result.config;
}

function errors(argv: string[], env: Record<string, string | undefined> = ENV): string[] {
  const result = parseConfig(argv, env);
  assert.ok(!result.ok, 'expected errors');
  return result.errors;
}

void test('defaults', () => {
  assert.deepEqual(ok([]), {
    watchNamespaces: [],
    watchLabelSelector: '',
    concurrency: 4,
    evidenceConcurrency: 16,
    kubeApiQps: 50,
    kubeApiBurst: 100,
    logLevel: 'info',
    metricsBindAddress: { host: '', port: 8080 },
    healthProbeBindAddress: { host: '', port: 8081 },
    leaderElect: true,
    leaderElectionNamespace: 'modelship-system',
    leaderElectionId: 'modelship-leader',
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    fetcherImage: DEFAULT_FETCHER_IMAGE,
    resyncPeriodMs: 600_000,
    identity: 'modelship-7f9c-abcde',
    operatorNamespace: 'modelship-system',
    registryPollIntervalMs: 60_000,
    prometheusUserAddresses: [],
    prometheusUserSecrets: false,
    istioAllowedHosts: [],
    istioAllowedGateways: [],
    istioExportTo: ['.'],
    outboundAllowCidrs: [],
  });
});

void test('istio confinement: host patterns, namespace/name gateways and exportTo, each checked', () => {
  const c = ok(['--istio-allowed-hosts=*.models.example.com, fraud.example.com', '--istio-allowed-gateways=istio-ingress/public,edge/*', '--istio-export-to=.,istio-ingress']);
  assert.deepEqual(c.istioAllowedHosts, ['*.models.example.com', 'fraud.example.com']);
  assert.deepEqual(c.istioAllowedGateways, ['istio-ingress/public', 'edge/*']);
  assert.deepEqual(c.istioExportTo, ['.', 'istio-ingress']);
  assert.deepEqual(ok(['--istio-allowed-hosts=*', '--istio-export-to=*']).istioAllowedHosts, ['*']);
  assert.match(errors(['--istio-allowed-hosts=*.*.example.com'])[0]!, /^--istio-allowed-hosts: must be host names or patterns/);
  assert.match(errors(['--istio-allowed-hosts=https://fraud.example.com'])[0]!, /^--istio-allowed-hosts: /);
  assert.match(errors(['--istio-allowed-gateways=public'])[0]!, /^--istio-allowed-gateways: must be gateways as namespace\/name/);
  assert.match(errors(['--istio-export-to=Team'])[0]!, /^--istio-export-to: must be '\.', '\*' or namespace names/);
  assert.match(errors(['--istio-export-to='])[0]!, /^--istio-export-to: must name at least one namespace/);
});

void test('--outbound-allow-cidrs: comma-separated CIDRs or addresses; anything else is an error naming it', () => {
  assert.deepEqual(ok(['--outbound-allow-cidrs=127.0.0.1/32, fe80::/10,10.0.0.1']).outboundAllowCidrs, [
    { address: '127.0.0.1', prefix: 32, family: 'ipv4' },
    { address: 'fe80::', prefix: 10, family: 'ipv6' },
    { address: '10.0.0.1', prefix: 32, family: 'ipv4' },
  ]);
  assert.deepEqual(errors(['--outbound-allow-cidrs=127.0.0.1/32,localhost']), [
    '--outbound-allow-cidrs: "localhost" is not a CIDR such as 127.0.0.1/32 or fe80::/10 (got "127.0.0.1/32,localhost")',
  ]);
});

void test('in a pod: POD_NAMESPACE and POD_NAME (downward API) over HOSTNAME', () => {
  const c = ok([], { HOSTNAME: 'h', POD_NAME: 'modelship-0', POD_NAMESPACE: 'ops' });
  assert.equal(c.identity, 'modelship-0');
  assert.equal(c.leaderElectionNamespace, 'ops');
});

void test('--flag=value and --flag value', () => {
  const c = ok([
    '--concurrency=8',
    '--evidence-concurrency',
    '3',
    '--kube-api-qps',
    '20.5',
    '--kube-api-burst=40',
    '--log-level',
    'debug',
    '--metrics-bind-address=127.0.0.1:9090',
    '--health-probe-bind-address',
    '[::1]:0',
    '--watch-namespaces=risk, fraud ,risk,',
    '--lease-duration=1m30s',
    '--renew-deadline',
    '500ms',
    '--retry-period=0.1s',
    '--resync-period=1h',
    '--fetcher-image=registry.local/fetcher:1',
    '--identity',
    'me',
    '--kubeconfig=/tmp/kc',
    '--leader-election-namespace=ops',
    '--leader-election-id=modelship.example.com',
  ]);
  assert.equal(c.concurrency, 8);
  assert.equal(c.evidenceConcurrency, 3);
  assert.equal(c.kubeApiQps, 20.5);
  assert.equal(c.kubeApiBurst, 40);
  assert.equal(c.logLevel, 'debug');
  assert.deepEqual(c.metricsBindAddress, { host: '127.0.0.1', port: 9090 });
  assert.deepEqual(c.healthProbeBindAddress, { host: '::1', port: 0 });
  assert.deepEqual(c.watchNamespaces, ['risk', 'fraud']);
  assert.equal(c.leaseDurationMs, 90_000);
  assert.equal(c.renewDeadlineMs, 500);
  assert.equal(c.retryPeriodMs, 100);
  assert.equal(c.resyncPeriodMs, 3_600_000);
  assert.equal(c.fetcherImage, 'registry.local/fetcher:1');
  assert.equal(c.identity, 'me');
  assert.equal(c.kubeconfig, '/tmp/kc');
  assert.equal(c.leaderElectionNamespace, 'ops');
  assert.equal(c.leaderElectionId, 'modelship.example.com');
});

void test('boolean flags: bare, =value, separate true/false, Go spellings', () => {
  assert.equal(ok(['--leader-elect']).leaderElect, true);
  assert.equal(ok(['--leader-elect=false']).leaderElect, false);
  assert.equal(ok(['--leader-elect', 'false']).leaderElect, false);
  assert.equal(ok(['--leader-elect', '--concurrency=2']).leaderElect, true);
  assert.equal(ok(['--leader-elect=0']).leaderElect, false);
  assert.equal(ok([], { ...ENV, MODELSHIP_LEADER_ELECT: 'False' }).leaderElect, false);
});

void test('environment: MODELSHIP_<FLAG>; flags win; empty variables count as unset', () => {
  const env = { ...ENV, MODELSHIP_WATCH_NAMESPACES: 'a,b', MODELSHIP_CONCURRENCY: '2', MODELSHIP_LOG_LEVEL: '' };
  assert.deepEqual(ok([], env).watchNamespaces, ['a', 'b']);
  assert.equal(ok([], env).concurrency, 2);
  assert.equal(ok([], env).logLevel, 'info');
  assert.equal(ok(['--concurrency=6', '--watch-namespaces='], env).concurrency, 6);
  assert.deepEqual(ok(['--watch-namespaces='], env).watchNamespaces, []);
  assert.equal(ok([], { ...env, MODELSHIP_IDENTITY: 'x', POD_NAME: 'y' }).identity, 'x');
});

void test('the last of a repeated flag wins', () => {
  assert.equal(ok(['--concurrency=2', '--concurrency=3']).concurrency, 3);
});

void test('bad values: one clear message each, naming the flag or variable and the value', () => {
  assert.deepEqual(errors(['--concurrency=zero', '--log-level=loud', '--lease-duration=15']), [
    '--concurrency: must be a whole number (got "zero")',
    '--log-level: must be one of trace, debug, info, warn, error, fatal (got "loud")',
    '--lease-duration: must be a duration such as 500ms, 15s, 1m30s or 2h (got "15")',
  ]);
  assert.deepEqual(errors([], { ...ENV, MODELSHIP_CONCURRENCY: '0' }), ['MODELSHIP_CONCURRENCY: must be at least 1 (got "0")']);
  assert.match(errors(['--kube-api-qps=0'])[0]!, /^--kube-api-qps: must be greater than 0/);
  assert.match(errors(['--metrics-bind-address=8080'])[0]!, /^--metrics-bind-address: must be host:port or :port/);
  assert.match(errors(['--metrics-bind-address=:70000'])[0]!, /port from 0 to 65535/);
  assert.match(errors(['--watch-namespaces=Risk,ok'])[0]!, /^--watch-namespaces: must be a namespace name/);
  assert.match(errors(['--leader-elect=maybe'])[0]!, /^--leader-elect: must be true or false/);
  assert.match(errors(['--leader-election-id=Bad_Id'])[0]!, /must be a Lease name/);
  assert.match(errors(['--fetcher-image='])[0]!, /^--fetcher-image: must be a non-empty string/);
});

void test('leader-election timings must make sense together, as client-go requires', () => {
  assert.deepEqual(errors(['--lease-duration=10s', '--renew-deadline=10s']), ['--lease-duration must be longer than --renew-deadline']);
  assert.deepEqual(errors(['--renew-deadline=2s', '--retry-period=2s']), ['--renew-deadline must be longer than 1.2 x --retry-period']);
  assert.match(errors(['--lease-duration=500ms', '--renew-deadline=100ms', '--retry-period=50ms'])[0]!, /--lease-duration: must be at least 1000ms/);
});

void test('no identity anywhere: an error saying what to set', () => {
  assert.deepEqual(errors([], {}), ['--identity: not set, and neither POD_NAME nor HOSTNAME is; pass --identity or set POD_NAME']);
});

void test('unknown flags are errors with a suggestion; so are positional arguments and missing values', () => {
  assert.deepEqual(errors(['--concurency=2']), ['unknown flag --concurency; did you mean --concurrency?']);
  assert.deepEqual(errors(['--metrics-bind=:1']), ['unknown flag --metrics-bind; did you mean --metrics-bind-address?']);
  assert.deepEqual(errors(['-concurrency=2']), ['unknown flag -concurrency; did you mean --concurrency?']);
  assert.deepEqual(errors(['--frobnicate']), ['unknown flag --frobnicate']);
  assert.deepEqual(errors(['serve']), ['unexpected argument "serve": modelship takes flags only (see --help)']);
  assert.deepEqual(errors(['--concurrency']), ['--concurrency needs a value (--concurrency=VALUE or --concurrency VALUE)']);
  assert.deepEqual(errors(['--kubeconfig', '--concurrency=2']), ['--kubeconfig needs a value (--kubeconfig=VALUE or --kubeconfig VALUE)']);
});

void test('--help: wantsHelp sees it, parseConfig ignores it, configHelp lists every flag with its variable and default', () => {
  assert.equal(wantsHelp(['--concurrency=2', '--help']), true);
  assert.equal(wantsHelp(['-h']), true);
  assert.equal(wantsHelp(['--concurrency=2']), false);
  assert.equal(ok(['--help']).concurrency, 4);
  const help = configHelp();
  for (const name of ['watch-namespaces', 'watch-label-selector', 'concurrency', 'kube-api-qps', 'kube-api-burst', 'log-level', 'metrics-bind-address', 'health-probe-bind-address', 'leader-elect', 'leader-election-namespace', 'leader-election-id', 'lease-duration', 'renew-deadline', 'retry-period', 'fetcher-image', 'resync-period', 'identity', 'kubeconfig', 'istio-allowed-hosts', 'istio-allowed-gateways', 'istio-export-to']) {
    assert.match(help, new RegExp(`--${name}[=\\[]`), name);
  }
  assert.match(help, /MODELSHIP_WATCH_NAMESPACES/);
  assert.match(help, /Default: 15s/);
});

void test('pure: the same input gives the same output, and the inputs are not modified', () => {
  const argv = ['--concurrency=3'];
  const env = { ...ENV };
  assert.deepEqual(parseConfig(argv, env), parseConfig(argv, env));
  assert.deepEqual(argv, ['--concurrency=3']);
  assert.deepEqual(env, ENV);
});

void test('--watch-label-selector: normalized, validated, and each selector gets a Lease of its own', () => {
  const shard1 = ok(['--watch-label-selector=sharding.modelship.io/key = shard1']);
  assert.equal(shard1.watchLabelSelector, 'sharding.modelship.io/key=shard1');
  assert.match(shard1.leaderElectionId, /^modelship-leader-[0-9a-f]{10}$/);
  const shard2 = ok([], { ...ENV, MODELSHIP_WATCH_LABEL_SELECTOR: 'sharding.modelship.io/key=shard2' });
  assert.equal(shard2.watchLabelSelector, 'sharding.modelship.io/key=shard2');
  assert.notEqual(shard2.leaderElectionId, shard1.leaderElectionId);
  // Replicas of one shard agree on the Lease however the selector is spelled.
  const rest = ok(['--watch-label-selector', 'sharding.modelship.io/key notin (shard2, shard1)']);
  assert.equal(rest.watchLabelSelector, 'sharding.modelship.io/key notin (shard1,shard2)');
  assert.equal(ok(['--watch-label-selector=sharding.modelship.io/key notin(shard1,shard2)']).leaderElectionId, rest.leaderElectionId);
  assert.equal(rest.leaderElectionId, leaseNameFor('sharding.modelship.io/key notin (shard1,shard2)'));
  // A named Lease wins; no selector keeps the old name, so an unsharded upgrade keeps its Lease.
  assert.equal(ok(['--watch-label-selector=!sharding.modelship.io/key', '--leader-election-id=modelship-main']).leaderElectionId, 'modelship-main');
  assert.equal(ok(['--watch-label-selector=']).leaderElectionId, 'modelship-leader');
  const [bad] = errors(['--watch-label-selector=sharding.modelship.io/key in ()']);
  assert.match(bad!, /^--watch-label-selector: must be a label selector .*in needs at least one value/);
  assert.match(errors(['--watch-label-selector=Sharding_/key=a'])[0]!, /prefix "Sharding_"/);
  assert.match(errors([], { ...ENV, MODELSHIP_WATCH_LABEL_SELECTOR: 'key=(a' })[0]!, /^MODELSHIP_WATCH_LABEL_SELECTOR: .*unbalanced parentheses/);
});
