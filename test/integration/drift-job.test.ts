// The `profile` and `drift` subcommands as the Jobs run them (`node src/main.ts profile|drift ...`, one
// process each) against a real S3-compatible store (versitygw). No Kubernetes. An iris-like reference
// (4 numeric features, a species target) as CSV and as Parquet gives one profile; log files in the
// agent's layout with OIP v2 requests are judged: unshifted traffic is NoDrift, one feature shifted by one
// standard deviation is Drift naming it first, 20 requests are Inconclusive; records outside the window,
// failed calls and other versions are left out. A missing profile and requests that map to no features
// fail with their exit codes and a message in the termination log. A logged reference (`profile --logs`):
// a window of logged traffic of every version (or one) is profiled with its predictions, checks against it
// are NoDrift for the same distribution and Drift for a shifted feature, and too few rows fail the profile.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { logFileKey } from '../../src/agent/layout.ts';
import { startS3Server } from '../cluster/s3-server.ts';
import { normalSample, seededRandom } from '../unit/drift/random-data.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'modelship-drift-job-'));
after(() => rmSync(work, { recursive: true, force: true }));

const s3 = await startS3Server();
after(() => s3.stop());
await s3.createBucket('data');
await s3.createBucket('logs');

const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
const MEANS = [5.8, 3.0, 3.8, 1.2];
const SDS = [0.8, 0.4, 1.7, 0.7];
const SPECIES = ['setosa', 'versicolor', 'virginica'];
const random = seededRandom(7);

/** Rows of the iris-like distribution; `shift` moves feature `shifted` by that many standard deviations. */
function irisRows(n: number, shift = 0, shifted = 2): number[][] {
  const columns = FEATURES.map((_, c) => normalSample(random, n, MEANS[c]! + (c === shifted ? shift * SDS[c]! : 0), SDS[c]));
  return Array.from({ length: n }, (_, r) => columns.map((col) => Math.round(col[r]! * 1000) / 1000));
}
const species = (n: number) => Array.from({ length: n }, () => SPECIES[Math.floor(random() * 3)]!);

// The reference: 3000 rows, as CSV (with a quoted header cell) and as Parquet with the same values.
const refRows = irisRows(3000);
const refSpecies = species(3000);
const csv = [`${FEATURES.join(',')},"species"`, ...refRows.map((r, i) => `${r.join(',')},${refSpecies[i]}`)].join('\r\n') + '\r\n';
await s3.putObject('data', 'iris/train.csv', csv);
const parquet = parquetWriteBuffer({
  columnData: [...FEATURES.map((name, c) => ({ name, data: refRows.map((r) => r[c]!), type: 'DOUBLE' as const })), { name: 'species', data: refSpecies, type: 'STRING' as const }],
  rowGroupSize: 1000,
});
await s3.putObject('data', 'iris/train.parquet', new Uint8Array(parquet));

interface Exit {
  readonly code: number | null;
  readonly stderr: string;
  readonly termination: string;
}

let runs = 0;
function modelship(args: readonly string[]): Promise<Exit> {
  const terminationLog = join(work, `termination-${runs++}`);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['src/main.ts', ...args, `--termination-log=${terminationLog}`], { cwd: repo, env: { PATH: process.env.PATH ?? '', ...s3.fetcherEnv() }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      let termination: string;
      try {
        termination = readFileSync(terminationLog, 'utf8');
      } catch {
        termination = '';
      }
      done({ code, stderr, termination });
    });
  });
}

async function getJson(uri: string): Promise<Record<string, unknown>> {
  const [bucket = '', ...key] = uri.slice('s3://'.length).split('/');
  const out = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key.join('/') }));
  return JSON.parse(await out.Body!.transformToString()) as Record<string, unknown>;
}

const profileUri = (version: string) => `s3://logs/team-a/_modelship/profiles/namespace=ns-1/model=iris/version=${version}/profile.json`;
const reportUri = (name: string) => `s3://logs/team-a/_modelship/drift/namespace=ns-1/model=iris/${name}/report.json`;

// Logged traffic in the agent's layout. The window is [11:30, 12:30) on 2026-03-01.
const WINDOW_END = '2026-03-01T12:30:00Z';
const endMs = Date.parse(WINDOW_END);
let seq = 0;

interface Traffic {
  readonly requests: number;
  readonly rowsPerRequest: number;
  readonly shift?: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly status?: number;
}

async function writeLogs(version: string, traffic: Traffic): Promise<void> {
  const files = new Map<string, string[]>();
  for (let i = 0; i < traffic.requests; i++) {
    const t = traffic.fromMs + Math.floor(((traffic.toMs - traffic.fromMs) * i) / traffic.requests);
    const rows = irisRows(traffic.rowsPerRequest, traffic.shift ?? 0);
    const record = {
      requestId: `r-${version}-${seq}-${i}`,
      time: new Date(t).toISOString(),
      namespace: 'ns-1',
      model: 'iris',
      version,
      variant: 'stable',
      revision: '1',
      method: 'POST',
      path: '/v2/models/iris/infer',
      status: traffic.status ?? 200,
      latencyMs: 3.2,
      request: { inputs: [{ name: 'input-0', shape: [rows.length, 4], datatype: 'FP64', data: rows.flat() }] },
      response: { model_name: 'iris', outputs: [{ name: 'predict', shape: [rows.length, 1], datatype: 'BYTES', data: species(rows.length) }] },
    };
    const key = logFileKey('team-a', { namespace: 'ns-1', model: 'iris', version, pod: 'iris-pod' }, t, t + 1000 * (i % 5), seq);
    if (!files.has(key)) files.set(key, []);
    files.get(key)!.push(JSON.stringify(record));
  }
  seq++;
  for (const [key, lines] of files) await s3.putObject('logs', key, `${lines.join('\n')}\n`);
}

const MIN = 60_000;
const driftArgs = (version: string, report: string, extra: readonly string[] = []) => [
  'drift', `--profile=${profileUri('3')}`, '--logs=s3://logs/team-a', '--namespace=ns-1', '--model=iris', `--version=${version}`,
  `--window-end=${WINDOW_END}`, '--window=1h', '--predictions', `--report=${reportUri(report)}`, ...extra,
];

test('profile: the CSV reference gives 4 numeric features and a categorical target, and the Parquet one the same profile', async () => {
  const fromCsv = await modelship(['profile', '--reference=s3://data/iris/train.csv', '--target=species', `--output=${profileUri('3')}`]);
  assert.equal(fromCsv.code, 0, fromCsv.stderr);
  assert.deepEqual(JSON.parse(fromCsv.termination), { rows: 3000, features: 4, output: profileUri('3') });
  assert.ok(Buffer.byteLength(fromCsv.termination) <= 1024);
  const csvProfile = await getJson(profileUri('3'));
  assert.equal(csvProfile.apiVersion, 'modelship.io/profile/v1');
  const features = csvProfile.features as { name: string; profile: { kind: string; summary: { count: number; mean: number }; sample: number[]; counts: number[] } }[];
  assert.deepEqual(features.map((f) => [f.name, f.profile.kind]), FEATURES.map((f) => [f, 'numeric']));
  features.forEach((f, c) => {
    assert.equal(f.profile.summary.count, 3000);
    assert.ok(Math.abs(f.profile.summary.mean - MEANS[c]!) < 0.1, `${f.name} mean ${f.profile.summary.mean}`);
    assert.equal(f.profile.counts.reduce((a, b) => a + b, 0), 3000);
    assert.equal(f.profile.sample.length, 3000);
  });
  const target = csvProfile.target as { name: string; profile: { kind: string; categories: string[] } };
  assert.equal(target.name, 'species');
  assert.deepEqual([...target.profile.categories].sort(), SPECIES);

  const fromParquet = await modelship(['profile', '--reference=s3://data/iris/train.parquet', '--target=species', `--output=${profileUri('parquet')}`]);
  assert.equal(fromParquet.code, 0, fromParquet.stderr);
  const parquetProfile = await getJson(profileUri('parquet'));
  const strip = (p: Record<string, unknown>) => ({ ...p, createdAt: undefined, reference: undefined });
  assert.deepEqual(strip(parquetProfile), strip(csvProfile));
  assert.equal(parquetProfile.reference, 's3://data/iris/train.parquet');
});

test('profile: the reference over http(s) gives the same profile; a missing one exits 3', async () => {
  // A plain-http stand-in for an https server (the fetcher's source, which allows http for local servers).
  const server = createServer((req, res) => {
    if (req.url === '/iris/train.csv') res.writeHead(200, { 'content-type': 'text/csv' }).end(csv);
    else res.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const run = await modelship(['profile', `--reference=${base}/iris/train.csv`, '--target=species', `--output=${profileUri('http')}`]);
  assert.equal(run.code, 0, run.stderr);
  const strip = (p: Record<string, unknown>) => ({ ...p, createdAt: undefined, reference: undefined });
  assert.deepEqual(strip(await getJson(profileUri('http'))), strip(await getJson(profileUri('3'))));
  const missing = await modelship(['profile', `--reference=${base}/iris/gone.csv`, `--output=${profileUri('gone')}`]);
  assert.equal(missing.code, 3, missing.stderr);
  assert.match(missing.termination, /^modelship-profile: NotFound: http:\/\/127\.0\.0\.1:\d+\/iris\/gone\.csv: not found/);
});

test('drift: unshifted traffic is NoDrift; records outside the window and failed calls are left out', async () => {
  await writeLogs('3', { requests: 300, rowsPerRequest: 2, fromMs: endMs - 60 * MIN, toMs: endMs });
  // Shifted traffic that must not count: before the window (same hour partition), after it, and failed calls.
  await writeLogs('3', { requests: 100, rowsPerRequest: 5, shift: 3, fromMs: endMs - 80 * MIN, toMs: endMs - 61 * MIN });
  await writeLogs('3', { requests: 100, rowsPerRequest: 5, shift: 3, fromMs: endMs, toMs: endMs + 20 * MIN });
  await writeLogs('3', { requests: 100, rowsPerRequest: 5, shift: 3, fromMs: endMs - 50 * MIN, toMs: endMs - 10 * MIN, status: 500 });
  const run = await modelship(driftArgs('3', 'nodrift'));
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.termination.trim().split('\n').length, 1);
  const message = JSON.parse(run.termination) as { verdict: string; samples: number; windowStart: string; windowEnd: string; report: string; features: { name: string; verdict: string }[]; predictions: { verdict: string; test: string } | null };
  assert.equal(message.verdict, 'NoDrift', run.termination);
  assert.equal(message.samples, 600);
  assert.equal(message.windowStart, '2026-03-01T11:30:00.000Z');
  assert.equal(message.windowEnd, '2026-03-01T12:30:00.000Z');
  assert.equal(message.report, reportUri('nodrift'));
  assert.equal(message.features.length, 4);
  assert.ok(message.features.every((f) => f.verdict === 'NoDrift'));
  assert.equal(message.predictions?.test, 'chi2');
  assert.equal(message.predictions.verdict, 'NoDrift');
  const report = await getJson(reportUri('nodrift'));
  assert.equal(report.verdict, 'NoDrift');
  assert.equal((report.features as unknown[]).length, 4);
  assert.equal((report.read as { skipped: { notSuccessful: number } }).skipped.notSuccessful, 100);
});

test('drift: petal_length shifted by one standard deviation is Drift, naming it first', async () => {
  await writeLogs('4', { requests: 300, rowsPerRequest: 2, shift: 1, fromMs: endMs - 60 * MIN, toMs: endMs });
  const run = await modelship(driftArgs('4', 'drift'));
  assert.equal(run.code, 0, run.stderr);
  const message = JSON.parse(run.termination) as { verdict: string; features: { name: string; verdict: string; effectSize: number }[] };
  assert.equal(message.verdict, 'Drift', run.termination);
  assert.equal(message.features[0]?.name, 'petal_length');
  assert.equal(message.features[0]?.verdict, 'Drift');
  assert.ok(message.features[0].effectSize > 0.1, `effect size ${message.features[0].effectSize}`);
  assert.ok(message.features.slice(1).every((f) => f.verdict === 'NoDrift'), run.termination);
});

test('drift: 20 requests are Inconclusive, never NoDrift', async () => {
  await writeLogs('5', { requests: 20, rowsPerRequest: 1, fromMs: endMs - 30 * MIN, toMs: endMs });
  const run = await modelship(driftArgs('5', 'few'));
  assert.equal(run.code, 0, run.stderr);
  const message = JSON.parse(run.termination) as { verdict: string; samples: number; features: { verdict: string }[] };
  assert.equal(message.verdict, 'Inconclusive');
  assert.equal(message.samples, 20);
  assert.ok(message.features.every((f) => f.verdict === 'Inconclusive'));
});

test('drift: a missing profile exits 3 and says so in the termination log', async () => {
  const run = await modelship([...driftArgs('3', 'missing').filter((a) => !a.startsWith('--profile=')), `--profile=${profileUri('9')}`]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.termination, /^modelship-drift: NotFound: .*version=9\/profile\.json: no profile of version 3/);
  assert.equal(run.termination.trim().split('\n').length, 1);
});

test('drift: requests that map to no reference columns exit 5 and tell to set spec.monitoring.drift.features', async () => {
  const t = endMs - 5 * MIN;
  const record = {
    requestId: 'two-inputs', time: new Date(t).toISOString(), namespace: 'ns-1', model: 'iris', version: '6', variant: 'stable', revision: '1', method: 'POST', path: '/v2/models/iris/infer', status: 200, latencyMs: 1,
    request: { inputs: [{ name: 'a', shape: [1, 2], datatype: 'FP64', data: [1, 2] }, { name: 'b', shape: [1, 2], datatype: 'FP64', data: [3, 4] }] },
    response: { outputs: [{ name: 'predict', shape: [1], datatype: 'BYTES', data: ['setosa'] }] },
  };
  await s3.putObject('logs', logFileKey('team-a', { namespace: 'ns-1', model: 'iris', version: '6', pod: 'p' }, t, t, 0), `${JSON.stringify(record)}\n`);
  const run = await modelship(driftArgs('6', 'unmapped'));
  assert.equal(run.code, 5, run.stderr);
  assert.match(run.termination, /^modelship-drift: UnreadableData: .*set spec\.monitoring\.drift\.features/);
  // With the features given, the same requests are read.
  const features = JSON.stringify(FEATURES.map((name, i) => ({ name, input: i < 2 ? 'a' : 'b', index: i % 2 })));
  const mapped = await modelship([...driftArgs('6', 'mapped'), `--features=${features}`, '--min-samples=10']);
  assert.equal(mapped.code, 0, mapped.stderr);
  assert.equal((JSON.parse(mapped.termination) as { samples: number }).samples, 1);
});

// A logged reference: a window of the model's own traffic (versions 10 and 11, six hours on 2026-02-20)
// is profiled as the reference, then checks of later traffic are judged against it.
const REF_START = '2026-02-20T06:00:00Z';
const REF_END = '2026-02-20T12:00:00Z';
const refStartMs = Date.parse(REF_START);
const loggedProfileUri = (name: string) => `s3://logs/team-a/_modelship/profiles/namespace=ns-1/model=iris/logged-${name}/profile.json`;
const loggedArgs = (name: string, extra: readonly string[] = []) => [
  'profile', '--logs=s3://logs/team-a', '--namespace=ns-1', '--model=iris', `--window-start=${REF_START}`, `--window-end=${REF_END}`, `--output=${loggedProfileUri(name)}`, ...extra,
];

test('profile --logs: the logged window of every version gives the features of the requests and the predictions', async () => {
  await writeLogs('10', { requests: 160, rowsPerRequest: 10, fromMs: refStartMs, toMs: refStartMs + 4 * 60 * MIN });
  await writeLogs('11', { requests: 80, rowsPerRequest: 10, fromMs: refStartMs + 4 * 60 * MIN, toMs: refStartMs + 6 * 60 * MIN });
  // Left out: shifted traffic just after the window, and failed calls inside it.
  await writeLogs('11', { requests: 20, rowsPerRequest: 5, shift: 3, fromMs: refStartMs + 6 * 60 * MIN, toMs: refStartMs + 7 * 60 * MIN });
  await writeLogs('10', { requests: 20, rowsPerRequest: 5, shift: 3, fromMs: refStartMs, toMs: refStartMs + 60 * MIN, status: 503 });
  const run = await modelship(loggedArgs('all'));
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.termination), { rows: 2400, features: 4, output: loggedProfileUri('all') });
  const profile = await getJson(loggedProfileUri('all'));
  assert.equal(profile.apiVersion, 'modelship.io/profile/v1');
  assert.equal(profile.rows, 2400);
  assert.match(profile.reference as string, /^s3:\/\/logs\/team-a logged requests of ns-1\/iris from 2026-02-20T06:00:00\.000Z to 2026-02-20T12:00:00\.000Z$/);
  const features = profile.features as { name: string; profile: { kind: string; summary: { count: number; missing: number; mean: number; std: number }; counts: number[]; sample: number[] } }[];
  assert.deepEqual(features.map((f) => [f.name, f.profile.kind]), [0, 1, 2, 3].map((i) => [`input-0[${i}]`, 'numeric']));
  features.forEach((f, c) => {
    assert.equal(f.profile.summary.count, 2400);
    assert.equal(f.profile.summary.missing, 0);
    assert.equal(f.profile.counts.reduce((a, b) => a + b, 0), 2400);
    assert.ok(Math.abs(f.profile.summary.mean - MEANS[c]!) < 0.1, `${f.name} mean ${f.profile.summary.mean}`);
    assert.ok(Math.abs(f.profile.summary.std - SDS[c]!) < 0.1, `${f.name} std ${f.profile.summary.std}`);
    assert.ok(f.profile.counts.length > 5, `${f.name} has quantile bins`);
  });
  const target = profile.target as { name: string; profile: { kind: string; categories: string[]; counts: number[]; missing: number } };
  assert.equal(target.name, 'predictions');
  assert.equal(target.profile.kind, 'categorical');
  assert.deepEqual([...target.profile.categories].sort(), SPECIES);
  assert.equal(target.profile.counts.reduce((a, b) => a + b, 0) + target.profile.missing, 2400);

  // One version only, with the features named as spec.monitoring.drift.features names them.
  const features10 = JSON.stringify(FEATURES.map((name, index) => ({ name, index })));
  const one = await modelship(loggedArgs('v10', ['--version=10', `--features=${features10}`]));
  assert.equal(one.code, 0, one.stderr);
  assert.equal((JSON.parse(one.termination) as { rows: number }).rows, 1600);
  const named = await getJson(loggedProfileUri('v10'));
  assert.deepEqual((named.features as { name: string }[]).map((f) => f.name), [...FEATURES]);
});

test('drift against a logged reference: same-distribution traffic is NoDrift, petal_length shifted is Drift', async () => {
  await writeLogs('20', { requests: 300, rowsPerRequest: 2, fromMs: endMs - 60 * MIN, toMs: endMs });
  await writeLogs('21', { requests: 300, rowsPerRequest: 2, shift: 1, fromMs: endMs - 60 * MIN, toMs: endMs });
  const check = (version: string, report: string) =>
    modelship(['drift', `--profile=${loggedProfileUri('all')}`, '--logs=s3://logs/team-a', '--namespace=ns-1', '--model=iris', `--version=${version}`, `--window-end=${WINDOW_END}`, '--window=1h', '--predictions', `--report=${reportUri(report)}`]);
  const same = await check('20', 'logged-nodrift');
  assert.equal(same.code, 0, same.stderr);
  const sameMessage = JSON.parse(same.termination) as { verdict: string; samples: number; features: { name: string; verdict: string }[]; predictions: { verdict: string } | null };
  assert.equal(sameMessage.verdict, 'NoDrift', same.termination);
  assert.equal(sameMessage.samples, 600);
  assert.equal(sameMessage.features.length, 4);
  assert.equal(sameMessage.predictions?.verdict, 'NoDrift');
  const shifted = await check('21', 'logged-drift');
  assert.equal(shifted.code, 0, shifted.stderr);
  const shiftedMessage = JSON.parse(shifted.termination) as { verdict: string; features: { name: string; verdict: string }[] };
  assert.equal(shiftedMessage.verdict, 'Drift', shifted.termination);
  assert.equal(shiftedMessage.features[0]?.name, 'input-0[2]');
  assert.equal(shiftedMessage.features[0]?.verdict, 'Drift');
  assert.ok(shiftedMessage.features.slice(1).every((f) => f.verdict === 'NoDrift'), shifted.termination);
});

test('profile --logs: a window with too few logged rows fails with exit 5 and says so', async () => {
  const start = Date.parse('2026-02-25T00:00:00Z');
  await writeLogs('10', { requests: 20, rowsPerRequest: 2, fromMs: start, toMs: start + 30 * MIN });
  const run = await modelship([
    'profile', '--logs=s3://logs/team-a', '--namespace=ns-1', '--model=iris', '--window-start=2026-02-25T00:00:00Z', '--window-end=2026-02-25T01:00:00Z', `--output=${loggedProfileUri('few')}`,
  ]);
  assert.equal(run.code, 5, run.stderr);
  assert.match(run.termination, /^modelship-profile: UnreadableData: s3:\/\/logs\/team-a logged requests of ns-1\/iris from .*: 40 request rows in \d+ log files, fewer than the 100 a reference needs \(drift\.minSamples\)/);
  // Nothing was written.
  await assert.rejects(getJson(loggedProfileUri('few')));
});
