// The batch runner against a real S3 server (versitygw) and a real MLServer serving an iris model, both as
// local processes: 4 shards as 4 processes of `node src/main.ts batch`, and every prediction must be the
// model's own in Python. Then bad records, a shard killed mid-way and run again, the bad-record cap, and
// CSV and Parquet inputs. Starts servers: run only when the machine is free for them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { writeIrisModel } from '../cluster/iris-model.ts';
import { startMlserver } from '../cluster/mlserver-process.ts';
import { ensureMlserverEnv } from '../cluster/python-env.ts';
import { startS3Server } from '../cluster/s3-server.ts';
import { checkScored, listKeys, readLines, type RowIndex } from '../support/batch-output.ts';

const repo = resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'modelship-batch-'));
after(() => rmSync(work, { recursive: true, force: true }));

// The model and the expected predictions, from Python once.
const pythonEnv = await ensureMlserverEnv();
const { rows, predictions } = await writeIrisModel(pythonEnv, join(work, 'models', 'iris'), 20_000);
assert.equal(rows.length, 20_000);

const mlserver = await startMlserver(pythonEnv, join(work, 'models'), join(work, 'mlserver.log'));
after(() => mlserver.stop());
const server = mlserver.url;

const s3 = await startS3Server();
after(() => s3.stop());
await s3.createBucket('inputs');
await s3.createBucket('scores');

// Input files with the offset of every row's line, so each prediction can be matched to its row.
function jsonlFiles(prefix: string, files: number, line: (row: number[], i: number) => string): { where: RowIndex; bodies: Map<string, string> } {
  const where: RowIndex = new Map();
  const bodies = new Map<string, string>();
  const per = Math.ceil(rows.length / files);
  for (let f = 0; f < files; f++) {
    let body = '';
    const name = `part-${f}.jsonl`;
    for (let i = f * per; i < Math.min(rows.length, (f + 1) * per); i++) {
      where.set(`${name}@${Buffer.byteLength(body)}`, i);
      body += `${line(rows[i]!, i)}\n`;
    }
    bodies.set(`${prefix}${name}`, body);
  }
  return { where, bodies };
}
async function upload(bodies: Map<string, string | Uint8Array>): Promise<void> {
  for (const [key, body] of bodies) await s3.putObject('inputs', key, body);
}

interface Exit {
  code: number | null;
  stderr: string;
  /** The termination message. */
  termination: () => string;
}
let calls = 0;
function batch(args: readonly string[], onSpawn?: (kill: () => void) => void): Promise<Exit> {
  const termination = join(work, `termination-${calls++}`);
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(repo, 'src', 'main.ts'), 'batch', '--server', server, '--model', 'iris', '--ready-timeout', '180s', '--termination-log', termination, ...args], {
      env: { ...process.env, ...s3.fetcherEnv() },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => done({ code, stderr, termination: () => readFileSync(termination, 'utf8') }));
    onSpawn?.(() => child.kill('SIGKILL'));
  });
}
const shardArgs = (input: string, format: string, run: string, shards: number, shard: number, extra: readonly string[] = []) =>
  ['--input', `s3://inputs/${input}`, '--input-format', format, '--output', `s3://scores/${run}`, '--run', run, '--shards', String(shards), '--shard', String(shard), ...extra];

// Output read back and checked by test/support/batch-output.ts, as the e2e test does.
const keys = (prefix: string) => listKeys(s3.client, 'scores', prefix);
const lines = (run: string, keyList: readonly string[]) => readLines(s3.client, 'scores', run, keyList);
/** Every row scored once with Python's prediction; the manifest's parts hash to what is stored. */
const checkRun = async (run: string, where: RowIndex, expectScored: number) => (await checkScored(s3.client, 'scores', run, where, predictions, expectScored)).manifest;

const plain = jsonlFiles('plain/', 4, (r) => JSON.stringify(r));
await upload(plain.bodies);

void test('4 shards as 4 processes score 20,000 JSONL rows exactly once, as the model does in Python', async () => {
  const exits = await Promise.all([0, 1, 2, 3].map((s) => batch(shardArgs('plain/', 'jsonl', 'jsonl-run', 4, s))));
  for (const e of exits) assert.equal(e.code, 0, e.stderr);
  const manifest = await checkRun('jsonl-run', plain.where, 20_000);
  assert.equal(manifest.failed, 0);
  assert.equal(manifest.parts.length, 4);
  assert.deepEqual(await keys('jsonl-run/_shards/'), [0, 1, 2, 3].map((s) => `jsonl-run/_shards/${s}.json`));
  const messages = exits.map((e) => JSON.parse(e.termination()) as { scored: number; failed: number; records: number });
  assert.equal(messages.reduce((s, l) => s + l.scored, 0), 20_000);
  assert.equal(messages.reduce((s, l) => s + l.records, 0), 20_000);
});

// Every 500th line is bad in one of three ways. None could be a shard's first good record (which fixes the
// width; wrong widths are covered by the unit tests).
const badKinds = ['{"not json', '"a string"', '["a", 1, 2, 3]'];
const broken = jsonlFiles('broken/', 2, (r, i) => (i % 500 === 7 ? badKinds[i % 3]! : JSON.stringify(r)));
const badCount = rows.filter((_, i) => i % 500 === 7).length;
await upload(broken.bodies);

void test('bad records go to the errors files with their offsets; counts reconcile', async () => {
  const exits = await Promise.all([0, 1, 2].map((s) => batch(shardArgs('broken/', 'jsonl', 'broken-run', 3, s, ['--max-failed-records', '1000']))));
  for (const e of exits) assert.equal(e.code, 0, e.stderr);
  const manifest = await checkRun('broken-run', broken.where, 20_000 - badCount);
  assert.equal(manifest.failed, badCount);
  const errors = await lines('broken-run', manifest.errors.map((e) => e.key));
  assert.equal(errors.length, badCount);
  for (const e of errors) {
    const i = broken.where.get(`${e.file}@${e.offset}`);
    assert.ok(i !== undefined && i % 500 === 7, `${e.file}@${e.offset} is a bad line`);
    assert.ok(typeof e.reason === 'string' && e.reason !== '');
  }
});

void test('more bad records than allowed: exit 20 and no manifest', async () => {
  const exits = await Promise.all([0, 1].map((s) => batch(shardArgs('broken/', 'jsonl', 'capped-run', 2, s))));
  for (const e of exits) {
    assert.equal(e.code, 20, e.stderr);
    assert.match(e.termination(), /^modelship-batch: TooManyBadRecords: /);
  }
  assert.deepEqual(await keys('capped-run/_manifest.json'), []);
  assert.deepEqual(await keys('capped-run/part-'), []);
});

void test('a shard killed mid-way leaves nothing visible; run again, every row is scored once', async () => {
  const killed = await batch(shardArgs('plain/', 'jsonl', 'killed-run', 2, 0, ['--batch-size', '1', '--concurrency', '1']), (kill) => {
    setTimeout(kill, 3000);
  });
  assert.equal(killed.code, null, 'killed before it finished');
  assert.ok(/progress|shard 0 of 2/.test(killed.stderr));
  assert.deepEqual(await keys('killed-run/'), []);
  const exits = await Promise.all([0, 1].map((s) => batch(shardArgs('plain/', 'jsonl', 'killed-run', 2, s))));
  for (const e of exits) assert.equal(e.code, 0, e.stderr);
  await checkRun('killed-run', plain.where, 20_000);
  // A shard run again replaces its part and marker: still exactly once, same manifest counts.
  assert.equal((await batch(shardArgs('plain/', 'jsonl', 'killed-run', 2, 1))).code, 0);
  await checkRun('killed-run', plain.where, 20_000);
});

void test('CSV and Parquet inputs give the same predictions', async () => {
  const names = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
  const csvWhere: RowIndex = new Map();
  let csv = `${names.join(',')}\n`;
  rows.forEach((r, i) => {
    csvWhere.set(`@${Buffer.byteLength(csv)}`, i);
    csv += `${r.join(',')}\n`;
  });
  await s3.putObject('inputs', 'table.csv', csv);
  const csvExits = await Promise.all([0, 1, 2].map((s) => batch(shardArgs('table.csv', 'csv', 'csv-run', 3, s))));
  for (const e of csvExits) assert.equal(e.code, 0, e.stderr);
  await checkRun('csv-run', csvWhere, 20_000);

  const parquet = parquetWriteBuffer({ columnData: names.map((name, c) => ({ name, data: rows.map((r) => r[c]!), type: 'DOUBLE' as const })), rowGroupSize: 3000 });
  await s3.putObject('inputs', 'table/data.parquet', new Uint8Array(parquet));
  const pqWhere: RowIndex = new Map(rows.map((_, i) => [`data.parquet@${i}`, i]));
  const pqExits = await Promise.all([0, 1, 2].map((s) => batch(shardArgs('table/', 'parquet', 'parquet-run', 3, s))));
  for (const e of pqExits) assert.equal(e.code, 0, e.stderr);
  await checkRun('parquet-run', pqWhere, 20_000);
});
