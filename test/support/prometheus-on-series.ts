// A real Prometheus serving given series: OpenMetrics text turned into TSDB blocks by promtool (so
// queries see a history with timestamps of the test's choosing), read by a Prometheus that scrapes
// nothing. Resolves once it answers /-/ready; stop() ends it and removes its folder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../cluster/free-port.ts';
import { toolsDir } from './helm-chart.ts';
import { promtool } from './promtool.ts';

export async function startPrometheusOnSeries(openMetricsText: string): Promise<{ address: string; stop: () => Promise<void> }> {
  const tools = await toolsDir();
  const dir = mkdtempSync(join(tmpdir(), 'modelship-prometheus-series-'));
  const input = join(dir, 'series.om');
  writeFileSync(input, openMetricsText);
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
