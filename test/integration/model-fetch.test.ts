// modelship's model fetcher as the real process the init container runs (`node src/main.ts fetch <uri>
// <dest>`), against a real S3-compatible server (versitygw, built from its Go module) and a local HTTPS
// server. No Kubernetes: what is checked is the contract the operator relies on: the exit code, the last
// line of stderr, a destination holding exactly the model (or nothing at all after a failure), and no
// credential in the output.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { FETCH_FAILURES } from '../../src/fetcher/exit-codes.ts';
import { startS3Server } from '../cluster/s3-server.ts';
import { makeTestPki } from '../unit/kube/test-pki.ts';
import { tarGz } from '../support/tar-writer.ts';
import { fileTree } from '../support/file-tree.ts';

const root = resolve(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'model-fetch-'));
const s3 = await startS3Server();
const pki = makeTestPki();
after(async () => {
  await s3.stop();
  pki.remove();
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly lastLine: string;
}

/** Runs the fetcher with only the given environment (and PATH): nothing of this machine's AWS settings. */
function fetcher(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(process.execPath, ['src/main.ts', 'fetch', ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      const lastLine = stderr.trimEnd().split('\n').at(-1) ?? '';
      // No credential ever reaches the output, whatever happened.
      for (const secret of [s3.secretAccessKey, s3.accessKeyId, 'wrong-secret-value-123']) {
        assert.ok(!stdout.includes(secret) && !stderr.includes(secret), 'a credential appears in the output');
      }
      done({ code, stdout, stderr, lastLine });
    });
  });
}

let n = 0;
/** A destination that does not exist yet, in a folder of its own (to see what a failure leaves around it). */
function freshDest(): { parent: string; dest: string } {
  const parent = join(work, `case-${++n}`);
  mkdirSync(parent);
  return { parent, dest: join(parent, 'model') };
}

const tree = fileTree;

const failureLine = (cls: keyof typeof FETCH_FAILURES) => new RegExp(`^modelship-fetch: ${FETCH_FAILURES[cls].reason}: `);

/** After a failure: no destination, nothing else left beside it (no staging folder, no download). */
function assertNothingLeft(parent: string): void {
  assert.deepEqual(readdirSync(parent), [], 'nothing is left where the model would have been');
}

const weights = 'w'.repeat(100_000);
const sha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');
const safeArchive = tarGz([
  { name: './', type: '5' },
  { name: './model/', type: '5' },
  { name: './model/weights.bin', body: weights },
  { name: './model/model-settings.json', body: '{"name":"iris"}' },
  { name: './model/latest', type: '2', linkName: 'weights.bin' },
  { name: './bin/run.sh', body: '#!/bin/sh\n', mode: 0o755 },
]);

await s3.createBucket('models');
await s3.putObject('models', 'iris/1/model.joblib', 'joblib-bytes');
await s3.putObject('models', 'iris/1/model-settings.json', '{"name":"iris"}');
await s3.putObject('models', 'iris/1/sub/dir/extra.txt', 'extra');
await s3.putObject('models', 'iris/10/other.joblib', 'not part of iris/1');
await s3.putObject('models', 'archives/safe.tar.gz', safeArchive);
await s3.putObject('models', 'archives/dotdot.tar.gz', tarGz([{ name: 'ok.txt', body: 'fine' }, { name: '../escape.txt', body: 'escaped' }]));
await s3.putObject('models', 'archives/absolute.tar.gz', tarGz([{ name: '/tmp/modelship-absolute-escape.txt', body: 'escaped' }]));
await s3.putObject('models', 'archives/link-out.tar.gz', tarGz([{ name: 'passwd', type: '2', linkName: '../../../../etc/passwd' }]));
// Each link stays inside on paper; together they lead out: 'here' is the root itself, so here/.. is its parent.
await s3.putObject('models', 'archives/link-chain.tar.gz', tarGz([{ name: 'here', type: '2', linkName: '.' }, { name: 'out', type: '2', linkName: 'here/../outside' }]));
await s3.putObject('models', 'archives/device.tar.gz', tarGz([{ name: 'dev', type: '3' }]));
await s3.putObject('models', 'archives/many.tar.gz', tarGz(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, body: 'x' }))));
await s3.putObject('models', 'archives/corrupt.tar.gz', Buffer.from('this is not gzip at all'));

const s3env = () => s3.fetcherEnv();

void test('a single object: the destination holds exactly that file', async () => {
  const { dest } = freshDest();
  const run = await fetcher(['s3://models/iris/1/model.joblib', dest], s3env());
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(tree(dest), ['model.joblib']);
  assert.equal(readFileSync(join(dest, 'model.joblib'), 'utf8'), 'joblib-bytes');
  assert.match(run.lastLine, /^modelship-fetch: done: 1 file\(s\)/);
});

void test("KServe's storage-initializer form, `<uri> <dest>` without `fetch`, runs the fetcher too", async () => {
  const { dest } = freshDest();
  const run = await new Promise<{ code: number; stderr: string }>((done) => {
    execFile(process.execPath, ['src/main.ts', 's3://models/iris/1/model.joblib', dest], { cwd: root, env: { PATH: process.env.PATH ?? '', ...s3env() }, encoding: 'utf8' }, (err, _out, stderr) =>
      done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stderr }),
    );
  });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(tree(dest), ['model.joblib']);
});

void test("a folder prefix: every object under it, nested folders kept, a sibling prefix's objects left out", async () => {
  const { dest } = freshDest();
  const run = await fetcher(['s3://models/iris/1', dest], s3env());
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(tree(dest), ['model-settings.json', 'model.joblib', 'sub/', 'sub/dir/', 'sub/dir/extra.txt']);
  const slash = freshDest();
  assert.equal((await fetcher(['s3://models/iris/1/', slash.dest], s3env())).code, 0);
  assert.deepEqual(tree(slash.dest), tree(dest));
});

void test("KServe's S3_ENDPOINT and S3_USE_HTTPS=0 reach the same server", async () => {
  const { dest } = freshDest();
  const { AWS_ENDPOINT_URL: endpoint, ...env } = s3env();
  const run = await fetcher(['s3://models/iris/1/model.joblib', dest], { ...env, S3_ENDPOINT: new URL(endpoint!).host, S3_USE_HTTPS: '0' });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(tree(dest), ['model.joblib']);
});

void test('a .tar.gz is unpacked: files, folders, modes and a link inside; the archive itself is not kept', async () => {
  const { dest } = freshDest();
  const run = await fetcher(['--sha256', sha(safeArchive), 's3://models/archives/safe.tar.gz', dest], s3env());
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(tree(dest), ['bin/', 'bin/run.sh', 'model/', 'model/latest -> weights.bin', 'model/model-settings.json', 'model/weights.bin']);
  assert.equal(readFileSync(join(dest, 'model', 'latest'), 'utf8'), weights);
  assert.equal(lstatSync(join(dest, 'bin', 'run.sh')).mode & 0o777, 0o755);
  assert.equal(lstatSync(join(dest, 'model', 'weights.bin')).mode & 0o777, 0o644);
  const kept = freshDest();
  assert.equal((await fetcher(['--no-unpack', 's3://models/archives/safe.tar.gz', kept.dest], s3env())).code, 0);
  assert.deepEqual(tree(kept.dest), ['safe.tar.gz']);
});

void test('hostile archives are refused and leave nothing behind, inside or outside the destination', async () => {
  const cases: [string, RegExp][] = [
    ['dotdot', /entry '\.\.\/escape\.txt' has a '\.\.' segment/],
    ['absolute', /is an absolute path/],
    ['link-out', /links outside the destination/],
    ['link-chain', /entry 'out'.*(links outside the destination|leads nowhere)/],
    ['device', /refused type/],
    ['corrupt', /not a valid tar\.gz archive/],
  ];
  for (const [name, text] of cases) {
    const { parent, dest } = freshDest();
    const run = await fetcher([`s3://models/archives/${name}.tar.gz`, dest], s3env());
    assert.equal(run.code, FETCH_FAILURES.UnsafeArchive.exitCode, `${name}: ${run.stderr}`);
    assert.match(run.lastLine, failureLine('UnsafeArchive'), name);
    assert.match(run.lastLine, text, name);
    assertNothingLeft(parent);
  }
  assert.equal(existsSync(join(work, 'escape.txt')), false);
  assert.equal(existsSync('/tmp/modelship-absolute-escape.txt'), false);
});

void test('caps: too many entries, too many bytes unpacked, too many bytes fetched', async () => {
  const many = freshDest();
  const entries = await fetcher(['--max-entries', '10', 's3://models/archives/many.tar.gz', many.dest], s3env());
  assert.equal(entries.code, FETCH_FAILURES.TooLarge.exitCode, entries.stderr);
  assert.match(entries.lastLine, /more entries than the cap allows/);
  assertNothingLeft(many.parent);
  // The archive is a few hundred bytes compressed; unpacked it is over 100 kB.
  const bomb = freshDest();
  const unpacked = await fetcher(['--max-bytes', '50000', 's3://models/archives/safe.tar.gz', bomb.dest], s3env());
  assert.equal(unpacked.code, FETCH_FAILURES.TooLarge.exitCode, unpacked.stderr);
  assert.match(unpacked.lastLine, /unpacks to more bytes than the cap allows/);
  assertNothingLeft(bomb.parent);
  const big = freshDest();
  const fetched = await fetcher(['--max-bytes', '10', 's3://models/iris/1', big.dest], s3env());
  assert.equal(fetched.code, FETCH_FAILURES.TooLarge.exitCode, fetched.stderr);
  assertNothingLeft(big.parent);
});

void test('a .zip is unpacked; a hostile one is refused', async () => {
  const dir = join(work, 'zips');
  mkdirSync(dir);
  const py = `import zipfile,sys
with zipfile.ZipFile(sys.argv[1]+'/safe.zip','w',zipfile.ZIP_DEFLATED) as z:
    z.writestr('model/weights.bin','z'*50000); z.writestr('model/empty',''); z.writestr('model/','')
with zipfile.ZipFile(sys.argv[1]+'/evil.zip','w') as z:
    z.writestr('ok.txt','fine'); z.writestr('../../evil.txt','escaped')`;
  execFileSync('python3', ['-c', py, dir]);
  await s3.putObject('models', 'zips/safe.zip', readFileSync(join(dir, 'safe.zip')));
  await s3.putObject('models', 'zips/evil.zip', readFileSync(join(dir, 'evil.zip')));
  const good = freshDest();
  const ok = await fetcher(['s3://models/zips/safe.zip', good.dest], s3env());
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(tree(good.dest), ['model/', 'model/empty', 'model/weights.bin']);
  assert.equal(readFileSync(join(good.dest, 'model', 'weights.bin'), 'utf8'), 'z'.repeat(50000));
  const evil = freshDest();
  const refused = await fetcher(['s3://models/zips/evil.zip', evil.dest], s3env());
  assert.equal(refused.code, FETCH_FAILURES.UnsafeArchive.exitCode, refused.stderr);
  assert.match(refused.lastLine, /entry '\.\.\/\.\.\/evil\.txt' has a '\.\.' segment/);
  assertNothingLeft(evil.parent);
});

void test('wrong credentials: AccessDenied, nothing written, no credential in the output', async () => {
  for (const env of [{ ...s3env(), AWS_SECRET_ACCESS_KEY: 'wrong-secret-value-123' }, { ...s3env(), AWS_ACCESS_KEY_ID: 'AKIANOSUCHKEY' }]) {
    const { parent, dest } = freshDest();
    const run = await fetcher(['s3://models/iris/1/model.joblib', dest], env);
    assert.equal(run.code, FETCH_FAILURES.AccessDenied.exitCode, run.stderr);
    assert.match(run.lastLine, /^modelship-fetch: AccessDenied: s3:\/\/models\/iris\/1\/model\.joblib: access denied \((SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied|XAdminUserNotFound)\)$/);
    assertNothingLeft(parent);
  }
});

void test('a missing object, prefix or bucket: ModelNotFound', async () => {
  for (const uri of ['s3://models/iris/2/model.joblib', 's3://models/nothing/here/', 's3://no-such-bucket/m']) {
    const { parent, dest } = freshDest();
    const run = await fetcher([uri, dest], s3env());
    assert.equal(run.code, FETCH_FAILURES.ModelNotFound.exitCode, `${uri}: ${run.stderr}`);
    assert.match(run.lastLine, failureLine('ModelNotFound'));
    assertNothingLeft(parent);
  }
});

void test('sha256: the right one passes, a wrong one is ChecksumMismatch and leaves nothing', async () => {
  const right = freshDest();
  assert.equal((await fetcher(['--sha256', sha('joblib-bytes'), 's3://models/iris/1/model.joblib', right.dest], s3env())).code, 0);
  const wrong = freshDest();
  const run = await fetcher(['--sha256', sha('something else'), 's3://models/iris/1/model.joblib', wrong.dest], s3env());
  assert.equal(run.code, FETCH_FAILURES.ChecksumMismatch.exitCode, run.stderr);
  assert.equal(run.lastLine, `modelship-fetch: ChecksumMismatch: s3://models/iris/1/model.joblib: sha256 is ${sha('joblib-bytes')}, expected ${sha('something else')}`);
  assertNothingLeft(wrong.parent);
  const prefix = freshDest();
  const onPrefix = await fetcher(['--sha256', sha('x'), 's3://models/iris/1', prefix.dest], s3env());
  assert.equal(onPrefix.code, FETCH_FAILURES.InvalidArguments.exitCode);
  assert.match(onPrefix.lastLine, /applies to a single object/);
});

void test('--termination-log: the last line is written there too (failure and success); a path that cannot be written changes nothing else', async () => {
  const logs = join(work, 'termination');
  mkdirSync(logs);
  const failed = freshDest();
  const failedLog = join(logs, 'failed');
  const run = await fetcher(['--termination-log', failedLog, 's3://models/iris/2/model.joblib', failed.dest], s3env());
  assert.equal(run.code, FETCH_FAILURES.ModelNotFound.exitCode, run.stderr);
  assert.equal(readFileSync(failedLog, 'utf8'), `${run.lastLine}\n`);
  const bad = await fetcher(['--termination-log', failedLog, '--sha256', 'xyz', 's3://models/iris/1/model.joblib', failed.dest], s3env());
  assert.equal(bad.code, FETCH_FAILURES.InvalidArguments.exitCode);
  assert.equal(readFileSync(failedLog, 'utf8'), `${bad.lastLine}\n`, 'arguments that do not parse still reach the termination log');
  const done = freshDest();
  const doneLog = join(logs, 'done');
  assert.equal((await fetcher(['--termination-log', doneLog, 's3://models/iris/1/model.joblib', done.dest], s3env())).code, 0);
  assert.match(readFileSync(doneLog, 'utf8'), /^modelship-fetch: done: 1 file\(s\), 12 B in [0-9.]+s\n$/);
  assert.deepEqual(tree(logs), ['done', 'failed'], 'nothing else is written beside the termination log');
  const unwritable = freshDest();
  const noFolder = await fetcher(['--termination-log', join(logs, 'no-such-folder', 'log'), 's3://models/iris/2/model.joblib', unwritable.dest], s3env());
  assert.equal(noFolder.code, FETCH_FAILURES.ModelNotFound.exitCode, 'the exit code is the fetch failure, not the termination log\'s');
  assert.match(noFolder.lastLine, failureLine('ModelNotFound'));
  assert.match(noFolder.stderr, /cannot write the termination log .*no-such-folder\/log \(ENOENT\)/);
  const fine = freshDest();
  const ok = await fetcher(['--termination-log', join(logs, 'no-such-folder', 'log'), 's3://models/iris/1/model.joblib', fine.dest], s3env());
  assert.equal(ok.code, 0, 'a termination log that cannot be written does not fail a fetch');
  assert.deepEqual(tree(fine.dest), ['model.joblib']);
});

void test("an existing folder (a volume's mount point): emptied only if it is ours, the model moved in when complete", async () => {
  const mount = join(work, 'mount');
  mkdirSync(mount);
  const first = await fetcher(['s3://models/iris/1', mount], s3env());
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(tree(mount), ['.modelship-fetch', 'model-settings.json', 'model.joblib', 'sub/', 'sub/dir/', 'sub/dir/extra.txt']);
  // Fetched again (the pod's init containers run again after a restart): replaced, not merged.
  const again = await fetcher(['s3://models/iris/1/model.joblib', mount], s3env());
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(tree(mount), ['.modelship-fetch', 'model.joblib']);
  const failed = await fetcher(['s3://models/archives/dotdot.tar.gz', mount], s3env());
  assert.equal(failed.code, FETCH_FAILURES.UnsafeArchive.exitCode);
  assert.deepEqual(tree(mount), ['.modelship-fetch'], 'a failed fetch leaves no model files');
  const foreign = join(work, 'foreign');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'keep.txt'), 'not ours');
  const refused = await fetcher(['s3://models/iris/1/model.joblib', foreign], s3env());
  assert.equal(refused.code, FETCH_FAILURES.LocalWrite.exitCode);
  assert.match(refused.lastLine, /is not empty and was not written by modelship-fetch/);
  assert.deepEqual(tree(foreign), ['keep.txt']);
});

void test('an unreachable endpoint: retried with backoff, then ModelFetchFailed (Unavailable)', async () => {
  const { parent, dest } = freshDest();
  const run = await fetcher(['s3://models/iris/1/model.joblib', dest], { ...s3env(), AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
  assert.equal(run.code, FETCH_FAILURES.Unavailable.exitCode, run.stderr);
  assert.equal(run.stderr.match(/attempt \d of 5 failed: .*network error \(ECONNREFUSED\); trying again in \d+ ms/g)?.length, 4);
  assert.match(run.lastLine, /^modelship-fetch: ModelFetchFailed: s3:\/\/models\/iris\/1\/model\.joblib: network error \(ECONNREFUSED\)$/);
  assertNothingLeft(parent);
});

void test('https: a file, an archive, the size cap (declared and streamed), 404, 403, and no downgrade to http', async () => {
  const body = 'h'.repeat(200_000);
  const server = createHttpsServer({ cert: pki.server.cert, key: pki.server.key }, (req, res) => {
    const path = req.url ?? '/';
    if (path === '/m/model.bin') res.end(body);
    else if (path === '/m/model.tar.gz') res.end(safeArchive);
    else if (path === '/streamed') {
      // No Content-Length: only counting while reading can stop it.
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      let sent = 0;
      const more = () => {
        while (sent < 5_000_000) {
          sent += 65536;
          if (!res.write(Buffer.alloc(65536))) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    } else if (path === '/denied') res.writeHead(403).end('no');
    else if (path === '/downgrade') res.writeHead(302, { location: 'http://127.0.0.1:9/model.bin' }).end();
    else if (path === '/moved') res.writeHead(301, { location: '/m/model.bin' }).end();
    else res.writeHead(404).end('missing');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const env = { NODE_EXTRA_CA_CERTS: pki.ca.certFile };
  try {
    const file = freshDest();
    const ok = await fetcher(['--sha256', sha(body), `${base}/m/model.bin`, file.dest], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(tree(file.dest), ['model.bin']);
    const moved = freshDest();
    assert.equal((await fetcher([`${base}/moved`, moved.dest], env)).code, 0);
    assert.deepEqual(tree(moved.dest), ['moved'], 'named after the URI given, not the redirect');
    const archive = freshDest();
    assert.equal((await fetcher([`${base}/m/model.tar.gz`, archive.dest], env)).code, 0);
    assert.equal(tree(archive.dest).length, 6);
    const checks: [string, string[], keyof typeof FETCH_FAILURES, RegExp][] = [
      [`${base}/m/model.bin`, ['--max-bytes', '1000'], 'TooLarge', /larger than the cap of 1000 bytes/],
      [`${base}/streamed`, ['--max-bytes', '1000000'], 'TooLarge', /larger than the cap of 1000000 bytes/],
      [`${base}/nothing`, [], 'ModelNotFound', /: not found$/],
      [`${base}/denied`, [], 'AccessDenied', /: access denied$/],
      [`${base}/downgrade`, [], 'Unavailable', /refused a redirect from https to http:/],
      [base.replace('https:', 'http:'), [], 'InvalidArguments', /http:\/\/ is refused/],
    ];
    for (const [uri, flags, cls, text] of checks) {
      const { parent, dest } = freshDest();
      const run = await fetcher([...flags, uri, dest], env);
      assert.equal(run.code, FETCH_FAILURES[cls].exitCode, `${uri}: ${run.stderr}`);
      assert.match(run.lastLine, failureLine(cls));
      assert.match(run.lastLine, text);
      assertNothingLeft(parent);
    }
    // Without the test CA the server's certificate is refused.
    const untrusted = freshDest();
    const refused = await fetcher([`${base}/m/model.bin`, untrusted.dest]);
    assert.notEqual(refused.code, 0);
    assertNothingLeft(untrusted.parent);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
