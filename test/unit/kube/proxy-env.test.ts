import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proxyFromEnvironment, useProxy } from '../../../src/kube/proxy-env.ts';

void test('HTTPS_PROXY for https servers, HTTP_PROXY for http, upper case first, http:// when no scheme', () => {
  const env = { HTTPS_PROXY: 'proxy.corp:3128', https_proxy: 'http://lower:1', HTTP_PROXY: 'http://plain:8080' };
  assert.equal(proxyFromEnvironment('https://kube.example.com:6443', env), 'http://proxy.corp:3128');
  assert.equal(proxyFromEnvironment('http://kube.example.com', env), 'http://plain:8080');
  assert.equal(proxyFromEnvironment('https://kube.example.com', { https_proxy: 'https://lower:1' }), 'https://lower:1');
  assert.equal(proxyFromEnvironment('https://kube.example.com', { HTTP_PROXY: 'http://plain:8080' }), undefined, 'HTTP_PROXY is not used for https');
  assert.equal(proxyFromEnvironment('https://kube.example.com', {}), undefined);
});

void test('localhost and loopback addresses are never proxied', () => {
  const env = { HTTPS_PROXY: 'http://proxy:3128' };
  for (const server of ['https://localhost:6443', 'https://127.0.0.1:6443', 'https://127.4.5.6', 'https://[::1]:6443', 'https://api.localhost']) {
    assert.equal(proxyFromEnvironment(server, env), undefined, server);
  }
});

void test('NO_PROXY: names with their subdomains, leading dots for subdomains only, IPs, CIDRs, ports, *', () => {
  const cases: [string, string, string, boolean][] = [
    ['example.com', '443', 'example.com', false],
    ['api.example.com', '443', 'example.com', false],
    ['notexample.com', '443', 'example.com', true],
    ['example.com', '443', '.example.com', true],
    ['api.example.com', '443', '.example.com', false],
    ['api.example.com', '443', '*.example.com', false],
    ['example.com', '6443', 'example.com:443', true],
    ['example.com', '443', 'example.com:443', false],
    ['10.1.2.3', '443', '10.0.0.0/8', false],
    ['11.1.2.3', '443', '10.0.0.0/8', true],
    ['10.1.2.3', '443', '10.1.2.3', false],
    ['10.1.2.4', '443', '10.1.2.3', true],
    ['fd00::1', '443', 'fd00::/16', false],
    ['fd00::1', '443', '[fd00::1]:443', false],
    ['anything', '443', ' foo.com , * ', false],
    ['kubernetes.default.svc', '443', '.svc,.cluster.local', false],
    ['kube.example.com', '443', '', true],
  ];
  for (const [host, port, noProxy, expected] of cases) assert.equal(useProxy(host, port, noProxy), expected, `${host}:${port} with NO_PROXY=${noProxy}`);
  assert.equal(proxyFromEnvironment('https://KUBE.example.com', { HTTPS_PROXY: 'http://p:1', no_proxy: 'example.com' }), undefined, 'no_proxy in lower case, names case-insensitive');
});
