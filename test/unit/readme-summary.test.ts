import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readmeSummary, runOf, withSummary, SUMMARY_END, SUMMARY_START } from '../../bench/readme-summary.ts';

const envelope = (extra: Record<string, unknown>) => ({
  at: '2026-12-01T10:00:00.000Z',
  machine: { cores: 2, memoryGiB: 24, cpuModel: 'Test CPU' },
  load: { atRunStart: { load1: 0.42 } },
  versions: { commit: 'abc1234 (src/ modified)' },
  ...extra,
});

const rowOf = (table: string, file: string) => table.split('\n').find((l) => l.endsWith(`| ${file}.json |`));

test('each row comes from its file, says whether its target is met, and names the run', () => {
  const files = new Map<string, unknown>([
    ['latency', envelope({ applies: 100, childrenExistMs: { p50: 78.4, p99: 612 } })],
    ['rest', envelope({ windowSeconds: 600, operatorWrites: 0 })],
  ]);
  const table = readmeSummary(files);
  assert.match(rowOf(table, 'latency') ?? '', /p50 78 \/ p99 612 ms \| p50 ≤ 150 ms, p99 ≤ 500 ms \| \*\*no\*\* \| 2026-12-01, abc1234, load 0.4 \|/);
  assert.match(rowOf(table, 'rest') ?? '', /\| 0 \| 0 over 10 min \| yes \|/);
  assert.match(table, /2 cores, 24 GiB, Test CPU/);
  assert.equal(rowOf(table, 'agent'), undefined, 'no file, no row');
});

test('a file that records an error, or lacks a figure, never shows a made-up number', () => {
  const files = new Map<string, unknown>([
    ['batch', envelope({ error: 'MLServer did not start' })],
    ['memory', envelope({ levels: [] })],
  ]);
  const table = readmeSummary(files);
  assert.equal(rowOf(table, 'batch'), undefined);
  assert.match(rowOf(table, 'memory') ?? '', /\| n\/a MiB \| ≤ 150 MiB at 1000 \| {2}\|/);
});

test('a short rest window does not meet the 10-minute target even with no writes', () => {
  const table = readmeSummary(new Map([['rest', envelope({ windowSeconds: 120, operatorWrites: 0 })]]));
  assert.match(rowOf(table, 'rest') ?? '', /\| \*\*no\*\* \|/);
});

test('the block between the markers is replaced and the rest of the README kept', () => {
  const readme = `# x\nbefore\n${SUMMARY_START}\nold table\n${SUMMARY_END}\nafter\n`;
  assert.equal(withSummary(readme, 'new table'), `# x\nbefore\n${SUMMARY_START}\nnew table\n${SUMMARY_END}\nafter\n`);
  assert.equal(withSummary('# no markers', 'x'), undefined);
  assert.equal(runOf({}), '?, ?, load n/a');
});

test('the equal-settings KServe row comes from the plain file first, else the labelled file with three runs, the newest among equals', () => {
  const equal = (childrenSeconds: number, at: string, runs = 1) =>
    envelope({
      at,
      kserve: { inferenceServices: 300 },
      equalSettings: {
        kserve: { childrenExistSeconds: { median: 100, runs }, readySeconds: { median: 100 }, cpuSeconds: { median: 10 }, rssFreshMiB: { median: 100 }, meanRequestsPerSecond: { median: 30 } },
        modelshipAtKServeSettings: { childrenExistSeconds: { median: childrenSeconds }, readySeconds: { median: 70 }, cpuSeconds: { median: 9 }, rssFreshMiB: { median: 90 }, meanRequestsPerSecond: { median: 20 } },
      },
    });
  const labelled = new Map<string, unknown>([
    ['kserve-peer.old', equal(150, '2026-11-01T00:00:00Z')],
    ['kserve-peer.new', equal(75, '2026-12-01T00:00:00Z')],
    ['kserve-peer.quick', equal(10, '2026-12-02T00:00:00Z')],
  ]);
  const row = rowOf(readmeSummary(labelled), 'kserve-peer.new') ?? '';
  assert.match(row, /0\.75×; 0\.70×; 0\.90×; 0\.90× \(mean request rate 20\.0 \/ 30\.0 per s\) \| ≤ 0\.8×; ≤ 0\.8×; ≤ 1\.0×; ≤ 1\.0× \| yes \|/);
  const plain = readmeSummary(new Map([...labelled, ['kserve-peer', equal(150, '2026-10-01T00:00:00Z')]])).split('\n').find((l) => l.includes('equal client settings')) ?? '';
  assert.ok(plain.endsWith('| kserve-peer.json |'), plain);
  assert.match(plain, /1\.50×; .* \| \*\*no\*\* \|/);
  // Three runs, as the round's rules ask, before a newer single run.
  const threeRuns = readmeSummary(new Map([...labelled, ['kserve-peer.three', equal(90, '2026-11-15T00:00:00Z', 3)]]));
  assert.ok(rowOf(threeRuns, 'kserve-peer.three') !== undefined, threeRuns);
  assert.equal(rowOf(threeRuns, 'kserve-peer.new'), undefined);
});

test('with a run at KServe\'s measured request rate, that row carries the target and the per-client row does not', () => {
  const ctl = (children: number, cpu: number, rate: number, settings = '') => ({
    settings,
    childrenExistSeconds: { median: children, runs: 2 },
    readySeconds: { median: 50 },
    cpuSeconds: { median: cpu },
    rssFreshMiB: { median: 90 },
    meanRequestsPerSecond: { median: rate },
  });
  const file = envelope({
    kserve: { inferenceServices: 1000 },
    equalSettings: {
      kserve: ctl(100, 10, 33.6),
      modelshipAtKServeSettings: ctl(130, 14, 19.8),
      modelshipAtKServeRate: ctl(70, 12, 33.1, '34 QPS, burst 30; 1 reconcile at a time'),
    },
  });
  const rows = readmeSummary(new Map([['kserve-peer.equal-1000', file]]))
    .split('\n')
    .filter((l) => l.endsWith('| kserve-peer.equal-1000.json |'));
  assert.equal(rows.length, 2, rows.join('\n'));
  const stopped = readmeSummary(new Map([['kserve-peer.equal-1000', { ...file, partial: { runsCompleted: 2, runsPlanned: 3 } }]]));
  assert.match(stopped, /1000 models, 2 of 3 runs \(stopped\)\): modelship \/ KServe/);
  assert.match(rows[0] ?? '', /equal client settings .* 1\.30×; 1\.00×; 1\.40×; 1\.00× .* \| \(the target is at equal request rate, next row\) \| {2}\|/);
  assert.match(rows[1] ?? '', /equal request rate \(modelship's one limiter at KServe's measured mean rate: 34 QPS, burst 30; 1 reconcile at a time; 1000 models, 2 runs\).* 0\.70×; 1\.00×; 1\.20×; 1\.00× \(mean request rate 33\.1 \/ 33\.6 per s\) \| ≤ 0\.8×; ≤ 0\.8×; ≤ 1\.0×; ≤ 1\.0× \| \*\*no\*\* \|/);
});

test('rollout peers: each controller with its times, and the target missed when modelship failed a request', () => {
  const rep = (failed: number) => ({ promotion: { requests: 100, failed }, abort: { requests: 10, failed: 0 } });
  const controller = (name: string, failed: number) => ({ controller: name, toFirstWeightSeconds: { median: 0.5 }, abortToStableSeconds: { median: 0.1 }, repetitions: [rep(failed), rep(0)] });
  const table = readmeSummary(new Map([['rollout-peers', envelope({ controllers: [controller('modelship', 3), controller('flagger', 0)] })]]));
  const row = rowOf(table, 'rollout-peers') ?? '';
  assert.match(row, /modelship 0\.50 \/ 0\.10 s, 3 of 220 failed; flagger 0\.50 \/ 0\.10 s, 0 of 220 failed \| no request failed \| \*\*no\*\* \|/);
});

test('the scale rows judge memory only at 10,000 and count a write at rest at any level as a miss', () => {
  const level = (n: number, rss: number) => ({ modelDeployments: n, freshRssMiB: rss });
  const run = (writes: number) => ({ operator: { create: { childrenExistSeconds: 300 }, rest: { operatorWrites: writes } } });
  const scale = (levels: unknown[], runs: unknown[], steps: unknown[]) =>
    readmeSummary(new Map([['scale', envelope({ levels, runs, growth: { perLevel: levels.map(() => ({ operatorToFloor: 1.1 })), steps } })]]))
      .split('\n')
      .filter((l) => l.endsWith('| scale.json |'));
  const [memory, rest] = scale([level(1000, 150), level(3000, 250)], [run(0), run(3)], [{ from: 1000, to: 3000, rssKiBPerModelDeployment: 51.2 }]);
  assert.match(memory ?? '', /\| 250\.0 MiB; 1000→3000: 51\.2 KiB \| ≤ 400 MiB at 10,000; linear \(the same per step\) \| {2}\|/);
  assert.match(rest ?? '', /\| 1\.10× \(300\.0 s\); 0, 3 \| 0 writes at rest \| \*\*no\*\* \|/);
  const [over] = scale([level(10_000, 401)], [run(0)], []);
  assert.match(over ?? '', /401\.0 MiB; one level only \| .* \| \*\*no\*\* \|/);
  assert.doesNotMatch(over ?? '', /different operator code/);
  const [mixed] = scale([level(3000, 250), level(10_000, 280)], [run(0), { ...run(0), operatorCode: { freshMemory: 'abc' } }], [{ from: 3000, to: 10_000, rssKiBPerModelDeployment: 4.7 }]);
  assert.match(mixed ?? '', /280\.0 MiB; 3000→10000: 4\.7 KiB; the levels ran different operator code \(see Scale below\) \| .* \| yes \|/);
});

test('sharding: time to Ready per shard count, a shard that exited named, and the ownership check judged', () => {
  const level = (shards: number, ready: number | undefined, extra: Record<string, unknown> = {}) => ({
    shards,
    modelDeployments: 3000,
    readySeconds: ready === undefined ? { runs: 0 } : { median: ready },
    failedRuns: 0,
    exitedShards: 0,
    foreignWrites: 0,
    writtenByMoreThanOneShard: 0,
    ownerWroteNothing: 0,
    checksOk: true,
    ...extra,
  });
  const rowFor = (levels: unknown[]) => rowOf(readmeSummary(new Map([['sharding', envelope({ levels })]])), 'sharding') ?? '';
  assert.match(rowFor([level(1, 534.6), level(2, 371)]), /\| 3000 ModelDeployments over shards: .* \| 1: 534\.6 s, 2: 371\.0 s; 0 \| none written twice or missed \| yes \|/);
  assert.match(
    rowFor([level(1, 534.6), level(4, undefined, { failedRuns: 1, exitedShards: 1, ownerWroteNothing: 2, checksOk: false })]),
    /1: 534\.6 s, 4: did not finish \(1 shard exited\); 2 \| none written twice or missed \| \*\*no\*\* \|/,
  );
  assert.equal(rowOf(readmeSummary(new Map([['sharding', envelope({ levels: [] })]])), 'sharding'), undefined);
  // The run at 10,000 has a row of its own beside the default file's.
  const both = readmeSummary(new Map([['sharding', envelope({ levels: [level(1, 534.6)] })], ['sharding.10000', envelope({ levels: [{ ...level(4, 1800.5), modelDeployments: 10_000 }] })]]));
  assert.match(rowOf(both, 'sharding') ?? '', /\| 3000 ModelDeployments over shards: .* \| 1: 534\.6 s; 0 \|/);
  assert.match(rowOf(both, 'sharding.10000') ?? '', /\| 10000 ModelDeployments over shards: .* \| 4: 1800\.5 s; 0 \| none written twice or missed \| yes \|/);
  // A level at 10,000 run on its own has a row of its own.
  const single = readmeSummary(new Map([['sharding.10000-1-shard', envelope({ levels: [{ ...level(1, 2100.2), modelDeployments: 10_000 }] })]]));
  assert.match(rowOf(single, 'sharding.10000-1-shard') ?? '', /\| 10000 ModelDeployments over shards: .* \| 1: 2100\.2 s; 0 \| none written twice or missed \| yes \|/);
  const four = readmeSummary(new Map([['sharding.10000-4-shards', envelope({ levels: [{ ...level(4, 2500.4), modelDeployments: 10_000 }] })]]));
  assert.match(rowOf(four, 'sharding.10000-4-shards') ?? '', /\| 10000 ModelDeployments over shards: .* \| 4: 2500\.4 s; 0 \| none written twice or missed \| yes \|/);
});
