// `kubectl modelship`: the CLI linked as kubectl-modelship on PATH is found by the project's kubectl as a
// plugin, and works the way a user runs it: offline render/validate with CI-friendly exit codes, and
// status against the cluster through the same KUBECONFIG kubectl uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { sharedCluster } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { testNamespace } from '../support/namespaces.ts';
import { startInProcessOperator } from '../support/in-process-operator.ts';
import { createModelDeployment, readExample, readyForGeneration, testClient } from '../support/model-deployments.ts';
import type { ToolResult } from '../support/run-tool.ts';
import { userShellEnv } from '../support/user-shell-env.ts';

const cluster = await sharedCluster();
await installCrds(cluster);
const kc = cluster.kubeConfig();
const namespace = await testNamespace(kc, 'plugin');
await startInProcessOperator(kc, [namespace]);

const root = resolve(import.meta.dirname, '..', '..');
const pluginDir = mkdtempSync(join(tmpdir(), 'modelship-plugin-'));
symlinkSync(join(root, 'bin', 'modelship.js'), join(pluginDir, 'kubectl-modelship'));
process.on('exit', () => rmSync(pluginDir, { recursive: true, force: true }));

/** kubectl with the plugin's folder and Node 24 first on PATH, as after `ln -s` into ~/.local/bin. */
function kubectl(args: readonly string[], machineNode = false): Promise<ToolResult> {
  const path = machineNode ? userShellEnv([pluginDir]) : { ...process.env, PATH: [pluginDir, dirname(process.execPath), process.env.PATH ?? ''].join(':') };
  const env = { ...path, KUBECONFIG: cluster.kubeconfigPath };
  return new Promise((res) => {
    execFile(join(cluster.toolsDir, 'kubectl'), args, { env, cwd: root }, (err, stdout, stderr) =>
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

test('kubectl finds the plugin', async () => {
  const listed = await kubectl(['plugin', 'list']);
  assert.match(listed.stdout, /kubectl-modelship/);
});

test('kubectl modelship validate and render work offline, with exit codes a CI job can use', async () => {
  const good = await kubectl(['modelship', 'validate', '-f', 'examples/rollout-analysis.yaml']);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /valid/);

  const bad = join(pluginDir, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: modelship.io/v1alpha1\nkind: ModelDeployment\nmetadata: {name: bad}\nspec:\n  model: {name: x, version: "1", uri: "ftp://x", format: sklearn}\n  runtime: {preset: mlserver}\n');
  const invalid = await kubectl(['modelship', 'validate', '-f', bad]);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stdout + invalid.stderr, /spec\.model\.uri/);

  const rendered = await kubectl(['modelship', 'render', '-f', 'examples/mlserver-sklearn.yaml']);
  assert.equal(rendered.code, 0, rendered.stderr);
  assert.match(rendered.stdout, /kind: Deployment/);
  assert.match(rendered.stdout, /kind: Service/);

  const usage = await kubectl(['modelship', 'frobnicate']);
  assert.equal(usage.code, 2);
});

test('kubectl modelship status reads the cluster through KUBECONFIG', { timeout: 120_000 }, async () => {
  const client = testClient(kc);
  const md = readExample('mlserver-sklearn.yaml');
  await createModelDeployment(client, namespace, md);
  const name = md.metadata.name;
  await readyForGeneration(client, namespace, name);
  const status = await kubectl(['modelship', 'status', name, '-n', namespace]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /Ready/);
  assert.match(status.stdout, new RegExp(name));
});

test("kubectl modelship with the machine's Node on PATH: the plugin runs itself on the pinned Node 24, output its own", { timeout: 60_000 }, async () => {
  const good = await kubectl(['modelship', 'validate', '-f', 'examples/rollout-analysis.yaml'], true);
  assert.equal(good.stderr, '');
  assert.equal(good.code, 0);
  assert.match(good.stdout, /valid/);
  const usage = await kubectl(['modelship', 'frobnicate'], true);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^modelship: /);
});
