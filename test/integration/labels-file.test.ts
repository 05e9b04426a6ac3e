// Labels that arrive as a file: `POST /modelship/v1/feedback/files` on the real agent process
// (`node src/main.ts agent ...`) with a real S3-compatible store (versitygw) and the OIP v2 stand-in. No
// Kubernetes. One agent predicts and flushes; another (another revision, empty memory, as another
// replica) receives the file and counts every label once under the revision that predicted; the first
// counts none; sent again, to either, it is refused as already counted. Refused: a URI outside `<log uri>/labels/`, a missing file, a file with a bad line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { irisClass } from '../support/iris-upstream.ts';
import { agentTestBed } from '../support/agent-test-bed.ts';
import { sample, scrape, send, startAgent, type AgentProcess } from '../support/agent-process.ts';
import { eventually } from '../support/wait.ts';

const { s3, upstream, agents } = await agentTestBed(['logs', 'other']);

const identity = ['--namespace=team-a', '--model=iris', '--version=1', '--variant=stable'];
async function agent(revision: string, extra: readonly string[] = []): Promise<AgentProcess> {
  const a = await startAgent([`--upstream=http://127.0.0.1:${upstream.port}`, '--log-uri=s3://logs/models', `--pod=rev${revision}-pod`, ...identity, `--revision=${revision}`, ...extra], s3.fetcherEnv());
  agents.push(a);
  return a;
}

const row = (i: number) => [(i % 7) * 0.9, (i % 5) * 0.7, (i % 3) * 1.3, (i % 11) * 0.4];
const put = (bucket: string, key: string, body: string) => s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
const postFile = (port: number, body: string) => send(port, { method: 'POST', path: '/modelship/v1/feedback/files', headers: { 'content-type': 'application/json' }, body });
const rev = (r: string) => ({ prediction_variant: 'stable', prediction_revision: r, prediction_version: '1' });

test('a labels file of 500 (30% wrong) is counted once, by the agent that received it, under the predicting revision', async () => {
  const predictor = await agent('3', ['--sample-rate=1', '--flush-interval=300ms']);
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 8 });
  const ids: string[] = [];
  for (let i = 0; i < 500; i++) {
    const r = await send(predictor.port, { method: 'POST', path: '/v2/models/iris/infer', body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP64', data: row(i) }] }), agent: keepAlive });
    assert.equal(r.status, 200);
    ids.push(r.headers['x-request-id'] as string);
  }
  keepAlive.destroy();
  await eventually('every record to be written', () => scrape(predictor.metricsPort), (m) => sample(m, 'modelship_agent_log_records_total', { outcome: 'written' }) === 500, 30_000);

  // Days later, as a pipeline would: `label` and `labels` lines, a blank line, wrong for i % 10 >= 7.
  const lines = ids.map((requestId, i) => {
    const label = i % 10 < 7 ? irisClass(row(i)) : (irisClass(row(i)) + 1) % 3;
    return JSON.stringify(i % 2 === 0 ? { requestId, label } : { requestId, labels: [label] });
  });
  await put('logs', 'models/labels/2026-12-01/part-0.jsonl', `${lines.slice(0, 250).join('\n')}\n\n${lines.slice(250).join('\n')}\n`);

  const receiver = await agent('4');
  const reply = await postFile(receiver.port, JSON.stringify({ uri: 's3://logs/models/labels/2026-12-01/part-0.jsonl' }));
  assert.equal(reply.status, 200, reply.body.toString());
  assert.deepEqual(JSON.parse(reply.body.toString()), { uri: 's3://logs/models/labels/2026-12-01/part-0.jsonl', labels: 500, accepted: 500, matched: 500, pending: 0, unmatched: 0 });
  const m = await scrape(receiver.metricsPort);
  assert.equal(sample(m, 'modelship_inference_labels_total', { ...rev('3'), result: 'correct' }), 350);
  assert.equal(sample(m, 'modelship_inference_labels_total', { ...rev('3'), result: 'incorrect' }), 150);
  assert.equal(sample(m, 'modelship_inference_labels_total', { ...rev('4'), result: 'correct' }), 0);
  const other = await scrape(predictor.metricsPort);
  assert.equal(sample(other, 'modelship_inference_labels_total', { ...rev('3'), result: 'correct' }), 0, 'the other replica counts none');
  assert.equal(sample(other, 'modelship_inference_labels_total', { ...rev('3'), result: 'incorrect' }), 0);

  // Sent again (a pipeline's retry), to the same or another replica: refused, nothing counted twice.
  for (const port of [receiver.port, predictor.port]) {
    const again = await postFile(port, JSON.stringify({ uri: 's3://logs/models/labels/2026-12-01/part-0.jsonl' }));
    assert.equal(again.status, 409, again.body.toString());
    const body = JSON.parse(again.body.toString()) as { error: string; marker: { state: string; pod: string; counted: Record<string, number> } };
    assert.match(body.error, /was already counted/);
    assert.equal(body.marker.state, 'counted');
    assert.equal(body.marker.pod, 'rev4-pod');
    assert.deepEqual(body.marker.counted, { accepted: 500, matched: 500, pending: 0, unmatched: 0 });
  }
  assert.equal(sample(await scrape(receiver.metricsPort), 'modelship_inference_labels_total', { ...rev('3'), result: 'correct' }), 350);
  assert.equal(sample(await scrape(predictor.metricsPort), 'modelship_inference_labels_total', { ...rev('3'), result: 'correct' }), 0);
});

test('refused with a clear 4xx: outside the labels folder, a missing file, a bad line (nothing counted), a bad body', async () => {
  const a = agents[1]!;
  await put('other', 'labels/x.jsonl', '{"requestId":"a","label":1}\n');
  await put('logs', 'models/namespace=team-a/x.jsonl', '{"requestId":"a","label":1}\n');
  const cases: [string, number, RegExp][] = [
    ['s3://other/labels/x.jsonl', 403, /^s3:\/\/other\/labels\/x\.jsonl is not a file under s3:\/\/logs\/models\/labels\/: the agent reads labels files only there$/],
    ['s3://logs/models/namespace=team-a/x.jsonl', 403, /is not a file under s3:\/\/logs\/models\/labels\//],
    ['s3://logs/models/labels/../namespace=team-a/x.jsonl', 400, /must not contain '\.\.' segments/],
    ['s3://logs/models/labels/', 403, /is not a file under/],
    ['s3://logs/models/labels/missing.jsonl', 404, /^no labels file at s3:\/\/logs\/models\/labels\/missing\.jsonl$/],
  ];
  for (const [uri, status, error] of cases) {
    const r = await postFile(a.port, JSON.stringify({ uri }));
    assert.equal(r.status, status, `${uri}: ${r.body.toString()}`);
    assert.match((JSON.parse(r.body.toString()) as { error: string }).error, error, uri);
  }
  await put('logs', 'models/labels/bad.jsonl', '{"requestId":"a","label":1}\n{"requestId":"b"}\n');
  const bad = await postFile(a.port, JSON.stringify({ uri: 's3://logs/models/labels/bad.jsonl' }));
  assert.equal(bad.status, 400);
  assert.match((JSON.parse(bad.body.toString()) as { error: string }).error, /bad\.jsonl line 2: expected \{"requestId","label"\} or \{"requestId","labels":\[\.\.\.\]\}; nothing was counted$/);
  for (const body of ['not json', '{"url":"s3://logs/models/labels/x.jsonl"}', '{"uri":"https://x/y"}']) {
    const r = await postFile(a.port, body);
    assert.equal(r.status, 400, body);
  }
  const m = await scrape(a.metricsPort);
  assert.equal(sample(m, 'modelship_inference_labels_unmatched_total'), 0, 'no label of a refused file was counted');
  assert.equal(sample(m, 'modelship_inference_labels_total', { ...rev('3'), result: 'correct' }), 350);
  const get = await send(a.port, { path: '/modelship/v1/feedback/files' });
  assert.equal(get.status, 405);
});

test('an agent without logging refuses labels files: there is nothing to join', async () => {
  const plain = await startAgent([`--upstream=http://127.0.0.1:${upstream.port}`, ...identity, '--revision=5'], {});
  agents.push(plain);
  const r = await postFile(plain.port, JSON.stringify({ uri: 's3://logs/models/labels/2026-12-01/part-0.jsonl' }));
  assert.equal(r.status, 409);
  assert.match((JSON.parse(r.body.toString()) as { error: string }).error, /need request logging \(--log-uri\)/);
});
