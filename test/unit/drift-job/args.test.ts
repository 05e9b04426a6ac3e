// The arguments of `profile` and `drift`: defaults, the format from the extension, and one-line refusals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAnyProfileArgs, parseDriftArgs, parseProfileArgs } from '../../../src/drift-job/args.ts';

const drift = ['--profile=s3://logs/p/profile.json', '--logs=s3://logs/team-a/', '--namespace=ns', '--model=iris', '--version=3', '--window-end=2026-03-01T12:30:00Z', '--report=s3://logs/r/report.json'];

test('profile: the format from the extension or --format; target, exclude and features', () => {
  const ok = parseProfileArgs(['--reference=https://data.example/iris/train.parquet?v=2', '--output=s3://logs/p/profile.json', '--target=species', '--exclude=id, ts']);
  assert.ok(ok.ok);
  assert.equal(ok.plan.format, 'parquet');
  assert.deepEqual(ok.plan.exclude, ['id', 'ts']);
  assert.equal(ok.plan.reference.kind, 'https');
  const error = (argv: string[]) => {
    const r = parseProfileArgs(argv);
    return r.ok ? 'accepted' : r.error;
  };
  assert.match(error(['--reference=s3://data/train.txt', '--output=s3://logs/p.json']), /cannot tell the format.*--format/);
  assert.equal(error(['--reference=s3://data/train.txt', '--format=jsonl', '--output=s3://logs/p.json']), 'accepted');
  assert.match(error(['--reference=https://u:p@d.example/t.csv', '--output=s3://logs/p.json']), /credentials/);
  assert.match(error(['--reference=ftp://d/t.csv', '--output=s3://logs/p.json']), /only s3:\/\/ and https:\/\//);
  assert.match(error(['--reference=s3://data/t.csv', '--output=s3://logs/folder/']), /must name an object/);
  assert.match(error(['--reference=s3://data/t.csv', '--output=s3://logs/p.json', '--features=[{"name":"a","index":-1}]']), /--features\[0\]\.index/);
  assert.match(error(['--reference=s3://data/t.csv', '--output=s3://logs/p.json', '--target=a', '--features=[{"name":"a"}]']), /'a' is also the target/);
  assert.match(error(['--output=s3://logs/p.json']), /--reference is required/);
});

test('drift: defaults, the switch --predictions, and refusals', () => {
  const ok = parseDriftArgs([...drift, '--predictions']);
  assert.ok(ok.ok);
  assert.equal(ok.plan.windowMs, 3_600_000);
  assert.equal(ok.plan.alpha, 0.05);
  assert.deepEqual(ok.plan.effectSize, { measure: 'psi', threshold: 0.02 });
  assert.equal(ok.plan.minSamples, 100);
  assert.equal(ok.plan.predictions, true);
  assert.deepEqual(ok.plan.logs, { uri: 's3://logs/team-a', bucket: 'logs', base: 'team-a' });
  assert.equal(ok.plan.windowEndMs, Date.parse('2026-03-01T12:30:00Z'));
  const js = parseDriftArgs([...drift, '--effect-size=jensenShannon:0.1', '--window=168h', '--predictions', '--min-samples=10']);
  assert.ok(js.ok && js.plan.effectSize.measure === 'jensenShannon' && js.plan.windowMs === 168 * 3_600_000 && js.plan.predictions);
  const error = (extra: string[]) => {
    const r = parseDriftArgs([...drift, ...extra]);
    return r.ok ? 'accepted' : r.error;
  };
  assert.match(error(['--window=169h']), /1m to 168h/);
  assert.match(error(['--window=30s']), /1m to 168h/);
  assert.match(error(['--alpha=1']), /\(0, 1\)/);
  assert.match(error(['--effect-size=kl:0.1']), /psi:<threshold>/);
  assert.match(error(['--min-samples=5']), /10 to 1000000/);
  assert.match(error(['--window-end=2026-03-01 12:30']), /RFC 3339/);
  assert.equal(parseDriftArgs([...drift, '--predictions=false']).ok && (parseDriftArgs([...drift, '--predictions=false']) as { plan: { predictions: boolean } }).plan.predictions, false);
});

test('output URIs are bounded so the termination messages stay within theirs', () => {
  const long = `s3://logs/${'k'.repeat(900)}/profile.json`;
  const r = parseProfileArgs(['--reference=s3://data/t.csv', `--output=${long}`]);
  assert.ok(!r.ok && /--output is longer than 900 characters/.test(r.error));
  const d = parseDriftArgs([...drift, `--report=s3://logs/${'k'.repeat(1500)}.json`]);
  assert.ok(!d.ok && /--report is longer than 1500 characters/.test(d.error));
});

test('profile --logs: a logged window of one model (one version or all), bounded, with --min-samples', () => {
  const logged = ['--logs=s3://logs/team-a/', '--namespace=ns', '--model=iris', '--window-start=2026-03-01T00:00:00Z', '--window-end=2026-03-08T00:00:00+01:00', '--output=s3://logs/p/profile.json'];
  const ok = parseAnyProfileArgs([...logged, '--min-samples=500', '--features=[{"name":"a","index":0}]']);
  assert.ok(ok.ok);
  assert.ok('logs' in ok.plan);
  assert.deepEqual(ok.plan.logs, { uri: 's3://logs/team-a', bucket: 'logs', base: 'team-a' });
  assert.equal(ok.plan.version, undefined);
  assert.equal(ok.plan.windowEndMs - ok.plan.windowStartMs, 7 * 86_400_000 - 3_600_000);
  assert.equal(ok.plan.minSamples, 500);
  assert.deepEqual(ok.plan.features, [{ name: 'a', index: 0 }]);
  const versioned = parseAnyProfileArgs([...logged, '--version=3']);
  assert.ok(versioned.ok && 'logs' in versioned.plan && versioned.plan.version === '3');
  const error = (argv: string[]) => {
    const r = parseAnyProfileArgs(argv);
    return r.ok ? 'accepted' : r.error;
  };
  const without = (name: string) => logged.filter((a) => !a.startsWith(`--${name}=`));
  assert.match(error([...without('window-end'), '--window-end=2026-03-01T00:00:00Z']), /--window-end must be after --window-start/);
  assert.match(error([...without('window-end'), '--window-end=2026-04-01T00:00:01Z']), /at most 744h/);
  assert.match(error([...without('window-start'), '--window-start=yesterday']), /--window-start 'yesterday' is not an RFC 3339 time/);
  assert.match(error(without('model')), /--model is required/);
  assert.match(error([...logged, '--min-samples=5']), /--min-samples must be an integer from 10/);
  assert.match(error([...logged, '--reference=s3://data/t.csv']), /reference/);
  // Without --logs it is the sample-file profile.
  assert.match(error(['--output=s3://logs/p.json']), /--reference is required/);
});
