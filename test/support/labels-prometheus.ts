// A real Prometheus (the built test tools) serving modelship_inference_labels_total as the inference agent
// exports it, with the scrape's target labels: counters growing at steady rates for the last 70 minutes,
// written as TSDB blocks by promtool. Needs no control plane.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABELS_METRIC } from '../../src/analysis/accuracy-queries.ts';
import { freePort } from '../cluster/free-port.ts';
import { toolsDir } from './helm-chart.ts';
import { promtool } from './promtool.ts';

/** Labels per second of one revision of one ModelDeployment, by result. */
export interface LabelRates {
  readonly namespace: string;
  readonly model: string;
  readonly revision: number;
  readonly correct: number;
  readonly incorrect: number;
}

const STEP = 15;
const SPAN = 70 * 60;

function openMetrics(rates: readonly LabelRates[], nowSeconds: number): string {
  const start = nowSeconds - SPAN;
  const lines = [`# TYPE ${LABELS_METRIC.replace(/_total$/, '')} counter`];
  for (let t = start; t <= nowSeconds; t += STEP) {
    for (const r of rates) {
      const target = `namespace="${r.namespace}",model_deployment="${r.model}",variant="stable",revision="${r.revision}",pod="${r.model}-a"`;
      const prediction = `prediction_variant="stable",prediction_revision="${r.revision}",prediction_version="${r.revision}"`;
      for (const result of ['correct', 'incorrect'] as const) {
        lines.push(`${LABELS_METRIC}{${target},${prediction},result="${result}"} ${r[result] * (t - start)} ${t}`);
      }
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

export async function startLabelsPrometheus(rates: readonly LabelRates[]): Promise<{ address: string; stop: () => Promise<void> }> {
  const tools = await toolsDir();
  const dir = mkdtempSync(join(tmpdir(), 'modelship-labels-prometheus-'));
  const input = join(dir, 'series.om');
  writeFileSync(input, openMetrics(rates, Math.floor(Date.now() / 1000)));
  const data = join(dir, 'data');
  const created = await promtool(tools, ['tsdb', 'create-blocks-from', 'openmetrics', input, data]);
  assert.equal(created.code, 0, created.output);
  writeFileSync(join(dir, 'prometheus.yml'), 'global: {}\n');
  const port = await freePort();
  const child = spawn(join(tools, 'prometheus'), [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  const address = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    const ready = await fetch(`${address}/-/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (i >= 150) {
      await stop();
      assert.fail('Prometheus did not become ready within 30 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { address, stop };
}
