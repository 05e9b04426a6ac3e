// `modelship top` as a user runs it (bin/modelship.js, a child process) against a real Prometheus: the
// agent-shaped series of two revisions of one ModelDeployment and another namespace's model are written as
// TSDB blocks by promtool (tsdb create-blocks-from openmetrics), ending now; Prometheus serves them, and
// top prints each revision's numbers. Needs no control plane, only the built Prometheus.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { startPrometheusOnSeries } from '../support/prometheus-on-series.ts';

const dir = mkdtempSync(join(tmpdir(), 'modelship-top-'));
const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'modelship.js');

/** OpenMetrics text: counters growing at a steady rate, one sample every 15 s for the last 70 minutes. */
function openMetrics(nowSeconds: number): string {
  const k = (ns: string, md: string, variant: string, revision: string) => `namespace="${ns}",model_deployment="${md}",variant="${variant}",revision="${revision}",pod="${md}-${revision}-a"`;
  const stable = k('shop', 'iris', 'stable', '3');
  const canary = k('shop', 'iris', 'canary', '4');
  const other = k('risk', 'fraud', 'stable', '1');
  // Per second: [metric family, labels, rate].
  const counters: [string, string, number][] = [
    ['modelship_inference_requests', `${stable},code="200"`, 0.9],
    ['modelship_inference_requests', `${stable},code="503"`, 0.1],
    ['modelship_inference_request_duration_seconds_bucket', `${stable},le="0.1"`, 1],
    ['modelship_inference_request_duration_seconds_bucket', `${stable},le="+Inf"`, 1],
    ['modelship_inference_requests', `${canary},code="200"`, 0.5],
    ['modelship_inference_request_duration_seconds_bucket', `${canary},le="0.1"`, 0],
    ['modelship_inference_request_duration_seconds_bucket', `${canary},le="0.5"`, 0.5],
    ['modelship_inference_request_duration_seconds_bucket', `${canary},le="+Inf"`, 0.5],
    ['modelship_inference_labels', `${stable},prediction_variant="stable",prediction_revision="3",result="correct"`, 0.09],
    ['modelship_inference_labels', `${stable},prediction_variant="stable",prediction_revision="3",result="incorrect"`, 0.01],
    ['modelship_inference_labels', `${stable},prediction_variant="canary",prediction_revision="4",result="correct"`, 0.03],
    ['modelship_inference_labels', `${stable},prediction_variant="canary",prediction_revision="4",result="incorrect"`, 0.01],
    ['modelship_inference_requests', `${other},code="200"`, 10],
  ];
  const lines: string[] = [];
  for (const family of new Set(counters.map(([f]) => f))) {
    const isHistogram = family.endsWith('_bucket');
    const name = isHistogram ? family.replace(/_bucket$/, '') : family;
    lines.push(`# TYPE ${name} ${isHistogram ? 'histogram' : 'counter'}`);
    for (let t = nowSeconds - 70 * 60; t <= nowSeconds; t += 15) {
      for (const [f, labels, perSecond] of counters) {
        if (f !== family) continue;
        const value = perSecond * (t - (nowSeconds - 70 * 60));
        lines.push(`${isHistogram ? family : `${family}_total`}{${labels}} ${value} ${t}`);
      }
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

const now = Math.floor(Date.now() / 1000);
const prometheus = await startPrometheusOnSeries(openMetrics(now));
after(() => prometheus.stop());
const { address } = prometheus;

function top(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, 'top', ...args], { env: { ...process.env, KUBECONFIG: join(dir, 'none') } }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

void test('modelship top -n shop prints each revision of each ModelDeployment with its numbers', async () => {
  const r = await top(['-n', 'shop', '--prometheus', address]);
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
  assert.deepEqual(rows[0], ['NAME', 'VARIANT', 'REVISION', 'REQ/S', 'ERRORS', 'P95', 'ACCURACY(1h)']);
  assert.deepEqual(rows.slice(1), [
    ['iris', 'stable', '3', '1', '10%', '95ms', '90%'],
    ['iris', 'canary', '4', '0.5', '0%', '480ms', '75%'],
  ]);
});

void test('-A adds the other namespaces; the address may come from $MODELSHIP_PROMETHEUS_ADDRESS; none is bad usage', async () => {
  process.env.MODELSHIP_PROMETHEUS_ADDRESS = address;
  const all = await top(['-A']);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /^NAMESPACE\s+NAME/);
  assert.match(all.stdout, /\nrisk\s+fraud\s+stable\s+1\s+10\s+0%/);
  delete process.env.MODELSHIP_PROMETHEUS_ADDRESS;
  const none = await top(['-n', 'shop']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /top needs --prometheus URL/);
});
