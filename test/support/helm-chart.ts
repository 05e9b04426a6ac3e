// The Helm chart (charts/modelship) in tests: rendering it with the project's helm, reading the objects
// it renders, and packaging a copy of it under another version (the "previous release" of upgrade tests).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadAll } from 'js-yaml';
import { runTool, type ToolResult } from './run-tool.ts';
import { ensureTools } from '../cluster/tools.ts';

export const chartDir = resolve(import.meta.dirname, '..', '..', 'charts', 'modelship');

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
}

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  rules?: PolicyRule[];
  spec?: Record<string, unknown>;
}

/** The folder with helm and kubectl: the test run's, or built (once) from test/cluster/go. */
export function toolsDir(): Promise<string> {
  return process.env.MODELSHIP_TEST_TOOLS ? Promise.resolve(process.env.MODELSHIP_TEST_TOOLS) : ensureTools();
}

/** Runs helm, against a cluster when `kubeconfig` is given. */
export function helm(toolsDir: string, args: readonly string[], kubeconfig?: string): Promise<ToolResult> {
  return runTool(toolsDir, 'helm', kubeconfig === undefined ? args : ['--kubeconfig', kubeconfig, ...args]);
}

export async function mustSucceed(what: string, result: Promise<ToolResult>): Promise<string> {
  const r = await result;
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** `helm template` of the chart: its objects, or the error helm printed. */
export async function renderChart(toolsDir: string, args: readonly string[], chart = chartDir): Promise<RenderedObject[]> {
  const out = await mustSucceed('helm template', helm(toolsDir, ['template', 'modelship', chart, ...args]));
  return parseObjects(out);
}

export function parseObjects(yaml: string): RenderedObject[] {
  return loadAll(yaml).filter((d): d is RenderedObject => typeof d === 'object' && d !== null && 'kind' in d);
}

export function findObject(objects: readonly RenderedObject[], kind: string, name?: string, namespace?: string): RenderedObject | undefined {
  return objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name) && (namespace === undefined || o.metadata.namespace === namespace));
}

interface Container {
  name: string;
  args?: string[];
}

/** The operator container's args as the chart's Deployment passes them. */
export function operatorArgs(deployment: { spec?: unknown }): string[] {
  const spec = deployment.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  const container = spec?.template?.spec?.containers?.find((c) => c.name === 'operator');
  if (!container?.args) throw new Error('the Deployment has no operator container with args');
  return container.args;
}

/**
 * A copy of the chart with another version and appVersion, packaged into a temporary folder: the
 * release a user upgrades from. Returns the .tgz.
 */
export async function packageChartCopy(toolsDir: string, version: string, appVersion: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'modelship-chart-'));
  const copy = join(dir, 'modelship');
  cpSync(chartDir, copy, { recursive: true });
  const chartYaml = join(copy, 'Chart.yaml');
  const text = readFileSync(chartYaml, 'utf8')
    .replace(/^version: .*$/m, `version: ${version}`)
    .replace(/^appVersion: .*$/m, `appVersion: "${appVersion}"`);
  writeFileSync(chartYaml, text);
  await mustSucceed('helm package', helm(toolsDir, ['package', copy, '--destination', dir]));
  return join(dir, `modelship-${version}.tgz`);
}
