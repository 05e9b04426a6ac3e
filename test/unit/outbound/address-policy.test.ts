import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressPolicy, parseCidr } from '../../../src/outbound/index.ts';

test('parseCidr takes v4 and v6 ranges and bare addresses, and nothing else', () => {
  assert.deepEqual(parseCidr('127.0.0.0/8'), { address: '127.0.0.0', prefix: 8, family: 'ipv4' });
  assert.deepEqual(parseCidr(' 10.1.2.3 '), { address: '10.1.2.3', prefix: 32, family: 'ipv4' });
  assert.deepEqual(parseCidr('fe80::/10'), { address: 'fe80::', prefix: 10, family: 'ipv6' });
  assert.deepEqual(parseCidr('::1'), { address: '::1', prefix: 128, family: 'ipv6' });
  for (const bad of ['', 'localhost', '10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/8/8', '10.0.0.0/-1', '300.0.0.0/8']) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

test('loopback, link-local, metadata and unspecified addresses are refused by default; others pass', () => {
  const allowed = addressPolicy([]);
  for (const ip of ['127.0.0.1', '127.255.1.2', '169.254.169.254', '169.254.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'febf::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254']) {
    assert.equal(allowed(ip), false, ip);
  }
  for (const ip of ['10.244.0.5', '192.168.1.1', '8.8.8.8', '128.0.0.1', '169.253.255.255', '2001:db8::1', 'fec0::1']) {
    assert.equal(allowed(ip), true, ip);
  }
});

test('an allowlisted range lets exactly its addresses through', () => {
  const allowed = addressPolicy([parseCidr('127.0.0.1/32')!, parseCidr('fe80::/64')!]);
  assert.equal(allowed('127.0.0.1'), true);
  assert.equal(allowed('127.0.0.2'), false);
  assert.equal(allowed('169.254.169.254'), false);
  assert.equal(allowed('fe80::1'), true);
  assert.equal(allowed('fe80:0:0:1::1'), false);
});
