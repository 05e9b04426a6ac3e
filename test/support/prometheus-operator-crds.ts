// The monitoring.coreos.com CRDs (ServiceMonitor, PrometheusRule) for the chart's optional objects, read
// from the prometheus-operator Go module at a pinned version, fetched once through the Go module proxy into
// the project's module cache (checked against the checksum database), the way the Gateway API CRDs are.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../cluster/tools.ts';

const MODULE = 'github.com/prometheus-operator/prometheus-operator';
export const prometheusOperatorVersion = 'v0.82.0';

function moduleDir(): string {
  // The module cache keeps a module at <path>@<version> (this path has no upper-case letters to escape).
  return join(cacheRoot(), 'gomod', `${MODULE}@${prometheusOperatorVersion}`);
}

function download(): Promise<void> {
  const env = { ...process.env, GOMODCACHE: join(cacheRoot(), 'gomod'), GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
  return new Promise((resolve, reject) => {
    execFile('go', ['mod', 'download', `${MODULE}@${prometheusOperatorVersion}`], { env }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`go mod download ${MODULE}@${prometheusOperatorVersion} failed (Go and the module proxy are needed once): ${stderr || error.message}`));
      else resolve();
    });
  });
}

/** The ServiceMonitor and PrometheusRule CRD files. */
export async function prometheusOperatorCrdFiles(): Promise<string[]> {
  const dir = join(moduleDir(), 'example', 'prometheus-operator-crd');
  if (!existsSync(dir)) await download();
  return ['servicemonitors', 'prometheusrules'].map((plural) => join(dir, `monitoring.coreos.com_${plural}.yaml`));
}
