// The operator's start-up with a model registries file (--model-registries): a file that is missing or
// not valid stops it with exit 2 and a message naming the problem, before it connects to anything.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { startScriptNodeFlags } from '../../cluster/start-script-flags.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'modelship-registries-'));

function start(file: string, text: string | undefined): { code: number | null; stderr: string } {
  const path = join(dir, file);
  if (text !== undefined) writeFileSync(path, text);
  const r = spawnSync(process.execPath, [...startScriptNodeFlags(), 'src/main.ts', '--kubeconfig', join(dir, 'none'), '--identity', 't', `--model-registries=${path}`], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stderr: r.stderr };
}

void test('a bad registries file stops the operator at start-up with exit 2, naming the problem', () => {
  const cases: [string, string | undefined, RegExp][] = [
    ['missing.yaml', undefined, /--model-registries: cannot read .*missing\.yaml \(ENOENT\)/],
    ['type.yaml', '- {name: a, type: sagemaker, address: "http://m:5000"}\n', /type\.yaml: \[0\]\.type: must be mlflow/],
    ['unknown.yaml', '- {name: a, type: mlflow, address: "http://m:5000", token: x}\n', /unknown\.yaml: \[0\]: unknown field token/],
    ['defaults.yaml', '- {name: a, type: mlflow, address: "http://m:5000", default: true}\n- {name: b, type: mlflow, address: "http://n:5000", default: true}\n', /only one registry may be the default, not a and b/],
  ];
  for (const [file, text, message] of cases) {
    const r = start(file, text);
    assert.equal(r.code, 2, `${file}: ${r.stderr}`);
    assert.match(r.stderr, /modelship: invalid configuration/);
    assert.match(r.stderr, message, file);
  }
});
