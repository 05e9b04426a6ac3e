// Models from an MLflow registry: the platform's registries file, models:/ URIs, the REST answers,
// what a resolution does to the spec and to status. Pure: no request is sent here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chooseRegistry,
  downloadUriRequestUrl,
  parseDownloadUriAnswer,
  parseModelRegistries,
  parseRegistryUri,
  parseResolveAnswer,
  resolvedModel,
  resolveRequestUrl,
  type ModelRegistry,
} from '../../../src/registry/mlflow.ts';
import { nextState } from '../../../src/registry/resolver.ts';
import { withPinned } from '../../../src/controller/phases/load.ts';
import { withRegistryStatus } from '../../../src/controller/registry-status.ts';
import { modelSpecSchema } from '../../../src/api/model-spec.ts';
import { parseConfig } from '../../../src/config.ts';
import { modelSource } from '../../../src/render/model-source.ts';

test('the registries file: a list of mlflow registries, checked', () => {
  const ok = parseModelRegistries(
    `- name: mlflow\n  type: mlflow\n  address: http://mlflow.mlflow:5000\n  default: true\n- name: team\n  type: mlflow\n  address: https://mlflow.example.com\n  bearerTokenSecret: {name: mlflow-token, key: token}\n`,
    'r.yaml',
  );
  assert.ok(ok.ok);
  assert.deepEqual(
    ok.registries.map((r) => r.name),
    ['mlflow', 'team'],
  );
  assert.deepEqual(parseModelRegistries('registries:\n- {name: a, type: mlflow, address: "http://a:5000"}\n', 'r.yaml'), {
    ok: true,
    registries: [{ name: 'a', type: 'mlflow', address: 'http://a:5000' }],
  });
  assert.deepEqual(parseModelRegistries('', 'r.yaml'), { ok: true, registries: [] });

  const bad = (text: string): string[] => {
    const r = parseModelRegistries(text, 'r.yaml');
    assert.ok(!r.ok, text);
    return r.errors;
  };
  assert.match(bad('- {name: a, type: sagemaker, address: "http://a"}').join(), /r\.yaml: \[0\]\.type: must be mlflow/);
  assert.match(bad('- {name: a, type: mlflow, address: "http://user:pw@a"}').join(), /\[0\]\.address: must be an http/);
  assert.match(bad('- {name: a, type: mlflow, address: "http://a", token: x}').join(), /unknown field token/);
  assert.match(bad('- {name: a, type: mlflow, address: "http://a"}\n- {name: a, type: mlflow, address: "http://b"}').join(), /two registries are named a/);
  assert.match(bad('- {name: a, type: mlflow, address: "http://a", default: true}\n- {name: b, type: mlflow, address: "http://b", default: true}').join(), /only one registry may be the default, not a and b/);
  assert.match(
    bad('- {name: a, type: mlflow, address: "http://a", bearerTokenSecret: {name: s, key: t}, basicAuthSecret: {name: s}}').join(),
    /both bearerTokenSecret and basicAuthSecret/,
  );
  assert.match(bad('- [').join(), /r\.yaml: not YAML/);
});

test('--registry-poll-interval: 1m by default, at least 10s; --model-registries is a path', () => {
  const env = { POD_NAME: 'p' };
  const d = parseConfig([], env);
  assert.ok(d.ok);
  assert.equal(d.config.registryPollIntervalMs, 60_000);
  assert.equal(d.config.modelRegistries, undefined);
  const s = parseConfig(['--registry-poll-interval', '15s', '--model-registries', '/etc/modelship/registries.yaml'], env);
  assert.ok(s.ok);
  assert.equal(s.config.registryPollIntervalMs, 15_000);
  assert.equal(s.config.modelRegistries, '/etc/modelship/registries.yaml');
  const low = parseConfig(['--registry-poll-interval', '5s'], env);
  assert.ok(!low.ok);
  assert.match(low.errors.join(), /at least 10s/);
});

test('models:/ URIs: an alias or a version of a registered model', () => {
  assert.deepEqual(parseRegistryUri('models:/iris@champion'), { name: 'iris', alias: 'champion' });
  assert.deepEqual(parseRegistryUri('models:/fraud.v2/12'), { name: 'fraud.v2', version: '12' });
  for (const bad of ['models:/iris', 'models:/iris/0', 'models:/iris/latest', 'models:/@a', 'models://iris@a', 'models:/iris@a/b', 's3://b/iris']) {
    assert.equal(parseRegistryUri(bad), undefined, bad);
  }
});

test('spec.model accepts models:/ URIs and a registry name only with them (zod, as the CRD CEL rules)', () => {
  const base = { name: 'iris', version: 'champion', format: 'sklearn' };
  assert.ok(modelSpecSchema.safeParse({ ...base, uri: 'models:/iris@champion' }).success);
  assert.ok(modelSpecSchema.safeParse({ ...base, uri: 'models:/iris/3', registry: 'mlflow' }).success);
  assert.ok(!modelSpecSchema.safeParse({ ...base, uri: 'models:/iris' }).success);
  assert.ok(!modelSpecSchema.safeParse({ ...base, uri: 's3://b/iris', registry: 'mlflow' }).success);
  assert.ok(!modelSpecSchema.safeParse({ ...base, uri: 'models:/iris@champion', sha256: 'a'.repeat(64) }).success);
});

const registries: ModelRegistry[] = [
  { name: 'mlflow', type: 'mlflow', address: 'http://mlflow.mlflow:5000', default: true },
  { name: 'team', type: 'mlflow', address: 'https://mlflow.example.com/prefix' },
];

test('the registry of a ModelDeployment: the one named, else the default; never an address of its own', () => {
  const dflt = chooseRegistry(undefined, registries);
  assert.ok(dflt.ok);
  assert.equal(dflt.registry.name, 'mlflow');
  const team = chooseRegistry('team', registries);
  assert.ok(team.ok);
  assert.equal(team.registry.name, 'team');
  const unknown = chooseRegistry('nope', registries);
  assert.ok(!unknown.ok);
  assert.equal(unknown.message, "there is no model registry named nope: the platform's registries are mlflow (default), team");
  const none = chooseRegistry(undefined, []);
  assert.ok(!none.ok);
  assert.match(none.message, /no default: the platform configured no model registries \(--model-registries\)/);
});

test('the REST requests: registered-models/alias for an alias, model-versions/get for a version', () => {
  assert.equal(
    resolveRequestUrl('http://mlflow.mlflow:5000', { name: 'iris', alias: 'champion' }).href,
    'http://mlflow.mlflow:5000/api/2.0/mlflow/registered-models/alias?name=iris&alias=champion',
  );
  assert.equal(
    resolveRequestUrl('https://mlflow.example.com/prefix', { name: 'iris', version: '3' }).href,
    'https://mlflow.example.com/prefix/api/2.0/mlflow/model-versions/get?name=iris&version=3',
  );
});

test("MLflow's answers: a version and its source, or the reason it cannot be served", () => {
  const alias = { name: 'iris', alias: 'champion' } as const;
  const mv = (fields: Record<string, string>) => JSON.stringify({ model_version: { name: 'iris', version: '2', source: 's3://models/iris/2', status: 'READY', aliases: ['champion'], ...fields } });
  assert.deepEqual(parseResolveAnswer(alias, 200, mv({})), { ok: true, version: '2', source: 's3://models/iris/2' });
  const notFound = JSON.stringify({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered model alias champion not found.' });
  assert.deepEqual(parseResolveAnswer(alias, 404, notFound), { ok: false, reason: 'AliasNotFound', message: 'the registry has no alias champion of model iris' });
  // What mlflow server 3.17.2 answers for a deleted alias.
  const aliasGone = JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Registered model alias champion not found.', sqlstate: 'KAM00', error_class: 'INVALID_PARAMETER_VALUE' });
  assert.deepEqual(parseResolveAnswer(alias, 400, aliasGone), { ok: false, reason: 'AliasNotFound', message: 'the registry has no alias champion of model iris' });
  const badParam = JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: "Missing value for required parameter 'name'." });
  const bad = parseResolveAnswer(alias, 400, badParam);
  assert.ok(!bad.ok);
  assert.equal(bad.reason, 'RegistryUnavailable');
  assert.deepEqual(parseResolveAnswer({ name: 'iris', version: '9' }, 404, notFound), { ok: false, reason: 'ModelVersionNotFound', message: 'the registry has no version 9 of model iris' });
  const failed = parseResolveAnswer(alias, 200, mv({ status: 'FAILED_REGISTRATION' }));
  assert.ok(!failed.ok);
  assert.equal(failed.reason, 'ModelVersionNotFound');
  const artifacts = parseResolveAnswer(alias, 200, mv({ source: 'mlflow-artifacts:/1/abc/artifacts/model' }));
  assert.ok(!artifacts.ok);
  assert.equal(artifacts.reason, 'UnsupportedModelSource');
  assert.match(artifacts.message, /fetches s3:\/\/, gs:\/\/ and https:\/\/ sources only/);
  for (const [status, body] of [
    [500, 'oops'],
    [200, '{"model_version": {}}'],
    [200, 'not json'],
    [403, '{}'],
  ] as const) {
    const r = parseResolveAnswer(alias, status, body);
    assert.ok(!r.ok);
    assert.equal(r.reason, 'RegistryUnavailable', `${status} ${body}`);
  }
});

test("MLflow 3 logged models: a models:/m-<id> source is resolved through get-download-uri to the artifact location", () => {
  const alias = { name: 'iris', alias: 'champion' } as const;
  // What mlflow server 3.17.2 answers for a version logged with log_model(..., registered_model_name=...).
  const logged = JSON.stringify({ model_version: { name: 'iris', version: '3', source: 'models:/m-0a1b2c', run_id: 'r1', status: 'READY', model_id: 'm-0a1b2c' } });
  const first = parseResolveAnswer(alias, 200, logged);
  assert.ok(!first.ok);
  assert.equal(first.reason, 'UnsupportedModelSource', 'without the second ask, the source is refused as before');
  assert.deepEqual(first.askDownloadUri, { version: '3', source: 'models:/m-0a1b2c' });
  assert.equal(
    downloadUriRequestUrl('https://mlflow.example.com/prefix', 'iris', '3').href,
    'https://mlflow.example.com/prefix/api/2.0/mlflow/model-versions/get-download-uri?name=iris&version=3',
  );
  assert.equal(downloadUriRequestUrl('http://mlflow:5000/', 'my model', '3').search, '?name=my+model&version=3');
  const artifactUri = 's3://mlflow/1/models/m-0a1b2c/artifacts';
  assert.deepEqual(parseDownloadUriAnswer('iris', '3', 'models:/m-0a1b2c', 200, JSON.stringify({ artifact_uri: artifactUri })), { ok: true, version: '3', source: artifactUri });
  // A fetchable source never needs the second ask.
  const direct = parseResolveAnswer(alias, 200, JSON.stringify({ model_version: { name: 'iris', version: '2', source: 's3://models/iris/2', status: 'READY' } }));
  assert.deepEqual(direct, { ok: true, version: '2', source: 's3://models/iris/2' });
  // An artifact location modelship cannot fetch (served by MLflow itself) is still refused, naming both.
  const proxied = parseDownloadUriAnswer('iris', '3', 'models:/m-0a1b2c', 200, JSON.stringify({ artifact_uri: 'mlflow-artifacts:/1/models/m-0a1b2c/artifacts' }));
  assert.ok(!proxied.ok);
  assert.equal(proxied.reason, 'UnsupportedModelSource');
  assert.equal(proxied.askDownloadUri, undefined, 'asked once only');
  assert.match(proxied.message, /^version 3 of model iris is stored at mlflow-artifacts:\/1\/models\/m-0a1b2c\/artifacts \(source models:\/m-0a1b2c\): modelship fetches s3:\/\/, gs:\/\/ and https:\/\/ sources only/);
  const same = parseDownloadUriAnswer('iris', '1', 'mlflow-artifacts:/1/abc/artifacts/model', 200, JSON.stringify({ artifact_uri: 'mlflow-artifacts:/1/abc/artifacts/model' }));
  assert.ok(!same.ok);
  assert.match(same.message, /^version 1 of model iris is stored at mlflow-artifacts:\/1\/abc\/artifacts\/model: /);
  assert.deepEqual(parseDownloadUriAnswer('iris', '3', 'models:/m-0a1b2c', 404, '{"error_code":"RESOURCE_DOES_NOT_EXIST"}'), { ok: false, reason: 'ModelVersionNotFound', message: 'the registry has no version 3 of model iris' });
  for (const [status, body] of [
    [500, 'oops'],
    [200, '{}'],
    [200, '{"artifact_uri": ""}'],
    [200, 'not json'],
    [403, '{}'],
  ] as const) {
    const r = parseDownloadUriAnswer('iris', '3', 'models:/m-0a1b2c', status, body);
    assert.ok(!r.ok);
    assert.equal(r.reason, 'RegistryUnavailable', `${status} ${body}`);
  }
});

const res1 = { uri: 'models:/iris@champion', registry: 'mlflow', version: '1', source: 's3://models/iris/1', resolvedAt: '2026-01-01T00:00:00Z' };
const res2 = { ...res1, version: '2', source: 's3://models/iris/2', resolvedAt: '2026-01-02T00:00:00Z' };

test('a resolution replaces the version and URI served; a failure keeps the last resolution', () => {
  const model = { name: 'iris', version: 'champion', uri: 'models:/iris@champion', format: 'sklearn' as const, registry: 'mlflow' };
  const served = resolvedModel(model, res1);
  assert.deepEqual(served, { name: 'iris', version: '1', uri: 's3://models/iris/1', format: 'sklearn' });
  assert.ok(modelSpecSchema.safeParse(served).success, 'a valid history snapshot');
  assert.deepEqual(modelSource(served.uri), { kind: 'fetch', uri: 's3://models/iris/1' });
  const unresolved = modelSource('models:/iris@champion');
  assert.ok('code' in unresolved && unresolved.code === 'InvalidModelUri', 'an unresolved models:/ URI never reaches the fetcher');
  const s1 = nextState(undefined, { ok: true, resolution: res1 });
  assert.deepEqual(s1, { resolution: res1 });
  // The same answer later keeps the first resolvedAt.
  assert.equal(nextState(s1, { ok: true, resolution: { ...res1, resolvedAt: '2026-01-05T00:00:00Z' } }).resolution, res1);
  const gone = nextState(s1, { ok: false, failure: { reason: 'AliasNotFound', message: 'no alias' } });
  assert.deepEqual(gone, { resolution: res1, failure: { reason: 'AliasNotFound', message: 'no alias' } });
  assert.deepEqual(nextState(undefined, { ok: false, failure: { reason: 'RegistryUnavailable', message: 'x' } }), { failure: { reason: 'RegistryUnavailable', message: 'x' } });
});

test('status.model pins the resolution: a restarted operator serves it until the registry answers', () => {
  const pinned = { uri: res1.uri, registry: 'mlflow', version: '1', source: res1.source, resolvedAt: res1.resolvedAt };
  assert.equal(withPinned(undefined, undefined, res1.uri, undefined), undefined);
  assert.deepEqual(withPinned(undefined, pinned, res1.uri, undefined), { resolution: res1 });
  assert.equal(withPinned(undefined, pinned, 'models:/iris@challenger', undefined), undefined);
  assert.equal(withPinned(undefined, pinned, res1.uri, 'team'), undefined);
  const failure = { reason: 'RegistryUnavailable' as const, message: 'down' };
  assert.deepEqual(withPinned({ failure }, pinned, res1.uri, undefined), { resolution: res1, failure });
});

test('status.model and ModelResolved: which version the alias named and when, newest first', () => {
  const now = '2026-01-03T00:00:00Z';
  const s1 = withRegistryStatus({}, undefined, { resolution: res1 }, 1, now);
  assert.deepEqual(s1.model, { ...res1, resolutions: [{ version: '1', source: res1.source, at: res1.resolvedAt }] });
  assert.equal(s1.conditions?.find((c) => c.type === 'ModelResolved')?.reason, 'Resolved');
  // The status computed by a reconcile has no model: it is carried from the one read.
  const s2 = withRegistryStatus({ conditions: s1.conditions }, s1.model, { resolution: res2 }, 1, now);
  assert.deepEqual(
    s2.model?.resolutions?.map((r) => r.version),
    ['2', '1'],
  );
  assert.deepEqual(withRegistryStatus({ conditions: s2.conditions }, s2.model, { resolution: res2 }, 1, now), s2);
  const gone = withRegistryStatus({ conditions: s2.conditions }, s2.model, { resolution: res2, failure: { reason: 'AliasNotFound', message: 'the registry has no alias champion of model iris' } }, 1, now);
  assert.equal(gone.model?.version, '2');
  const cond = gone.conditions?.find((c) => c.type === 'ModelResolved');
  assert.equal(cond?.status, 'False');
  assert.equal(cond?.reason, 'AliasNotFound');
  assert.match(cond?.message ?? '', /version 2 resolved at 2026-01-02T00:00:00Z keeps serving/);
  const plain = withRegistryStatus(gone, gone.model, undefined, 1, now);
  assert.equal(plain.model, undefined);
  assert.equal(plain.conditions?.find((c) => c.type === 'ModelResolved'), undefined);
});
