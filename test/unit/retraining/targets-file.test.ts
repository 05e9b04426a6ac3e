import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseAirflow, chooseWebhook, parseRetrainingTargets } from '../../../src/retraining/targets-file.ts';

const FILE = `
airflow:
  - name: airflow-prod
    address: http://airflow:8080
    default: true
    basicAuthSecret: { name: airflow-login }
  - name: airflow-dev
    address: https://airflow.dev:8443
    bearerTokenSecret: { name: airflow-token, key: token }
webhooks:
  - name: ci-hook
    url: https://ci.example/hooks/retrain
    hmacSecret: { name: ci-hook-key, key: key }
`;

void test('a valid file gives its connections and webhooks', () => {
  const r = parseRetrainingTargets(FILE, 'targets.yaml');
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.targets.airflow.map((a) => a.name), ['airflow-prod', 'airflow-dev']);
  assert.equal(r.targets.webhooks[0]?.hmacSecret.key, 'key');
});

void test('an empty file is no targets', () => {
  const r = parseRetrainingTargets('', 'targets.yaml');
  assert.ok(r.ok);
  assert.deepEqual(r.targets, { airflow: [], webhooks: [] });
});

void test('errors name the file and the field', () => {
  const r = parseRetrainingTargets('airflow:\n  - name: a\n    address: ftp://x\n    colour: red\n', 't.yaml');
  assert.ok(!r.ok);
  assert.ok(r.errors.some((e) => e === 't.yaml: airflow[0]: unknown field colour'), r.errors.join('\n'));
  assert.ok(r.errors.some((e) => e.startsWith('t.yaml: airflow[0].address: must be an http://')), r.errors.join('\n'));
});

void test('duplicate names, two defaults and two kinds of credentials are refused', () => {
  const text = `
airflow:
  - { name: a, address: http://a:8080, default: true, basicAuthSecret: { name: s }, bearerTokenSecret: { name: t, key: k } }
  - { name: a, address: http://b:8080, default: true }
webhooks:
  - { name: w, url: http://w, hmacSecret: { name: k, key: k } }
  - { name: w, url: http://w2, hmacSecret: { name: k, key: k } }
`;
  const r = parseRetrainingTargets(text, 't.yaml');
  assert.ok(!r.ok);
  assert.deepEqual(r.errors.sort(), [
    't.yaml: airflow a has both basicAuthSecret and bearerTokenSecret: keep one',
    't.yaml: only one airflow connection may be the default, not a and a',
    't.yaml: two airflow connections are named a',
    't.yaml: two webhooks are named w',
  ]);
});

void test('a webhook without its HMAC key is refused', () => {
  const r = parseRetrainingTargets('webhooks:\n  - { name: w, url: https://w }\n', 't.yaml');
  assert.ok(!r.ok);
  assert.ok(r.errors[0]?.includes('webhooks[0].hmacSecret'), r.errors.join('\n'));
});

void test('choosing: by name, the default, or a message listing what exists', () => {
  const r = parseRetrainingTargets(FILE, 't.yaml');
  assert.ok(r.ok);
  const d = chooseAirflow(undefined, r.targets);
  assert.ok(d.ok && d.value.name === 'airflow-prod');
  const named = chooseAirflow('airflow-dev', r.targets);
  assert.ok(named.ok && named.value.address === 'https://airflow.dev:8443');
  const missing = chooseAirflow('nope', r.targets);
  assert.ok(!missing.ok && missing.message.includes('airflow-prod (default), airflow-dev'));
  const none = chooseWebhook('ci', { airflow: [], webhooks: [] });
  assert.ok(!none.ok && none.message.includes('no webhooks'));
});
