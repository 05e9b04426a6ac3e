// Real HTTP on 127.0.0.1, port 0.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHealthServer } from '../../../src/observability/health-server.ts';
import type { HealthServer } from '../../../src/observability/health-server.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { setModelDeploymentGauges } from '../../../src/observability/model-deployment-gauges.ts';
import type { ModelDeploymentObject } from '../../../src/controller/caches.ts';

let healthz: boolean | string = true;
let readyz: boolean | string = true;
let cached: ModelDeploymentObject[] = [];
let scrapes = 0;
const metrics = createMetrics();
let server: HealthServer;
let base: string;

before(async () => {
  server = await startHealthServer({
    port: 0,
    host: '127.0.0.1',
    metrics,
    beforeScrape: () => {
      scrapes++;
      setModelDeploymentGauges(metrics, cached);
    },
    checks: {
      healthz: () => healthz,
      readyz: () => {
        if (readyz === 'throw') throw new Error('informers not synced');
        return readyz;
      },
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
});

async function get(path: string, method = 'GET'): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(`${base}${path}`, { method });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

void test('port 0 binds a free port', () => {
  assert.ok(server.port > 0);
});

void test('/healthz and /readyz: 200 "ok" while the checks pass', async () => {
  assert.deepEqual(await get('/healthz'), { status: 200, body: 'ok', type: 'text/plain; charset=utf-8' });
  assert.equal((await get('/readyz')).body, 'ok');
});

void test('a failing check: 500 with its message; false and throwing count as failing', async () => {
  readyz = 'not the leader yet';
  assert.deepEqual(await get('/readyz'), { status: 500, body: 'readyz check failed: not the leader yet\n', type: 'text/plain; charset=utf-8' });
  readyz = 'throw';
  assert.equal((await get('/readyz')).body, 'readyz check failed: informers not synced\n');
  healthz = false;
  assert.equal((await get('/healthz')).status, 500);
  assert.equal((await get('/readyz?verbose')).status, 500, 'query strings are ignored');
  healthz = true;
  readyz = true;
  assert.equal((await get('/readyz')).status, 200);
});

void test('/metrics: the registry\'s exposition and content type', async () => {
  metrics.applyTotal.inc({ kind: 'Deployment' });
  const res = await get('/metrics');
  assert.equal(res.status, 200);
  assert.equal(res.type, metrics.registry.contentType);
  assert.match(res.body, /^modelship_apply_total\{kind="Deployment"\} 1$/m);
  assert.match(res.body, /^# TYPE controller_runtime_reconcile_total counter$/m);
});

void test('HEAD works, other methods get 405, other paths 404', async () => {
  const head = await get('/healthz', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal((await get('/healthz', 'POST')).status, 405);
  assert.equal((await get('/nope')).status, 404);
});

void test('close() returns promptly even with a kept-alive connection, and frees the port', async () => {
  const other = await startHealthServer({ port: 0, host: '127.0.0.1', metrics, checks: { healthz: () => true, readyz: () => true } });
  const res = await fetch(`http://127.0.0.1:${other.port}/healthz`, { headers: { connection: 'keep-alive' } });
  await res.text();
  const started = Date.now();
  await other.close();
  assert.ok(Date.now() - started < 1000);
  await assert.rejects(fetch(`http://127.0.0.1:${other.port}/healthz`));
});

void test('a port in use is an error, not a crash', async () => {
  await assert.rejects(
    startHealthServer({ port: server.port, host: '127.0.0.1', metrics, checks: { healthz: () => true, readyz: () => true } }),
    /EADDRINUSE/,
  );
});

void test('the cache gauges are set when /metrics is asked for, from the cache as it is then; the probes do not set them', async () => {
  const md = (name: string, ready: 'True' | 'False'): ModelDeploymentObject => ({
    apiVersion: 'modelship.io/v1alpha1',
    kind: 'ModelDeployment',
    metadata: { name, namespace: 'shop' },
    status: { conditions: [{ type: 'Ready', status: ready, reason: 'x', message: '', lastTransitionTime: '2026-12-07T10:00:00Z' }] },
  });
  cached = [md('iris', 'True'), md('fraud', 'False')];
  const before = scrapes;
  await get('/healthz');
  await get('/readyz');
  assert.equal(scrapes, before);
  let text = (await get('/metrics')).body;
  assert.equal(scrapes, before + 1);
  assert.ok(text.includes('modelship_model_deployments{condition="Ready",status="True"} 1'), text);
  assert.ok(text.includes('modelship_model_deployments{condition="Ready",status="False"} 1'), text);
  // One deleted and one Ready since: the next scrape says so, with no series left of the other status.
  cached = [md('iris', 'True')];
  text = (await get('/metrics')).body;
  assert.ok(text.includes('modelship_model_deployments{condition="Ready",status="True"} 1'), text);
  assert.ok(!text.includes('modelship_model_deployments{condition="Ready",status="False"}'), text);
});
