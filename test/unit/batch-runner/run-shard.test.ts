// One shard end to end on local files against a stub V2 server: every good line scored once, in input
// order, with the server's prediction; bad lines in the errors file with their offsets; the manifest once
// both shards are done. Lines span the reader's chunks (the input is larger than one 256 KiB read).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createServer, type IncomingMessage } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBatchArgs } from '../../../src/batch-runner/args.ts';
import { runShard } from '../../../src/batch-runner/run-batch.ts';
import { localStore } from '../../../src/batch-runner/storage.ts';

const root = mkdtempSync(join(tmpdir(), 'modelship-run-shard-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const c of req) text += (c as Buffer).toString();
  return text;
}

// Predicts the sum of each row's values.
const server = createServer((req, res) => {
  void (async () => {
    if (req.url === '/v2/health/ready') return res.end();
    const { inputs } = JSON.parse(await body(req)) as { inputs: [{ shape: [number, number]; data: number[] }] };
    const [n, k] = inputs[0].shape;
    const sums = Array.from({ length: n }, (_, i) => inputs[0].data.slice(i * k, (i + 1) * k).reduce((a, b) => a + b, 0));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ model_name: 'm', model_version: 'v1', outputs: [{ name: 'out', shape: [n], datatype: 'FP64', data: sums }] }));
  })();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
after(() => server.close());
const port = (server.address() as { port: number }).port;

// 20,000 lines (about 400 KiB), a bad one every 997th, one with CRLF.
const lines: string[] = [];
for (let i = 0; i < 20_000; i++) lines.push(i % 997 === 5 ? '{"not json' : JSON.stringify([i, i % 7, 0.5]));
lines[100] += '\r';
const text = `${lines.join('\n')}\n`;
mkdirSync(join(root, 'claim', 'in'), { recursive: true });
writeFileSync(join(root, 'claim', 'in', 'data.jsonl'), text);
const offsets: number[] = [];
for (let i = 0, at = 0; i < lines.length; at += Buffer.byteLength(lines[i]!) + 1, i++) offsets.push(at);

void test('two shards score every good line once, in order, and put the bad ones in the errors files', async () => {
  const logs: string[] = [];
  for (const shard of [0, 1]) {
    const parsed = parseBatchArgs(
      ['--input', 'pvc://claim/in', '--input-format', 'jsonl', '--output', 'pvc://claim/out', '--run', 'r', '--shards', '2', '--shard', String(shard),
        '--model', 'm', '--server', `http://127.0.0.1:${port}`, '--batch-size', '50', '--concurrency', '3', '--max-failed-records', '100'],
      { MODELSHIP_PVC_ROOT: root },
    );
    assert.ok(parsed.ok);
    const { plan } = parsed;
    if (plan.input.kind !== 'local' || plan.output.kind !== 'local') throw new Error('expected pvc locations');
    const result = await runShard(plan, localStore(plan.input), localStore(plan.output), (l) => logs.push(l));
    assert.equal(result.manifest, shard === 1);
  }
  const out = join(root, 'claim', 'out');
  const read = (name: string) => readFileSync(join(out, name), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { file: string; offset: number; prediction?: number; reason?: string });
  const scored = [...read('part-00000.jsonl'), ...read('part-00001.jsonl')];
  const expected = lines.flatMap((l, i) => (i % 997 === 5 ? [] : [{ file: 'data.jsonl', offset: offsets[i]!, prediction: i + (i % 7) + 0.5 }]));
  assert.deepEqual(scored, expected);
  assert.deepEqual(Object.keys(scored[0]!), ['file', 'offset', 'prediction']);
  const errors = [...read('errors/part-00000.jsonl'), ...read('errors/part-00001.jsonl')];
  assert.deepEqual(errors.map((e) => e.offset), lines.flatMap((_, i) => (i % 997 === 5 ? [offsets[i]!] : [])));
  assert.ok(errors.every((e) => e.reason === 'not valid JSON'));
  const manifest = JSON.parse(readFileSync(join(out, '_manifest.json'), 'utf8')) as { records: number; scored: number; failed: number };
  assert.deepEqual([manifest.records, manifest.scored, manifest.failed], [20_000, expected.length, errors.length]);
});
