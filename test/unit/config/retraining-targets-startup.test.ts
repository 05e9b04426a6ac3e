// The operator's start-up with a retraining targets file (--retraining-targets, or its MODELSHIP_
// variable): a file that is missing or not valid stops it with exit 2 and a message naming the problem,
// before it connects to anything.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { startScriptNodeFlags } from '../../cluster/start-script-flags.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'modelship-retraining-targets-'));

function start(file: string, text: string | undefined, viaEnv = false): { code: number | null; stderr: string } {
  const path = join(dir, file);
  if (text !== undefined) writeFileSync(path, text);
  const args = [...startScriptNodeFlags(), 'src/main.ts', '--kubeconfig', join(dir, 'none'), '--identity', 't', ...(viaEnv ? [] : [`--retraining-targets=${path}`])];
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ...(viaEnv ? { MODELSHIP_RETRAINING_TARGETS: path } : {}) },
  });
  return { code: r.status, stderr: r.stderr };
}

void test('a bad retraining targets file stops the operator at start-up with exit 2, naming the problem', () => {
  const cases: [string, string | undefined, RegExp][] = [
    ['missing.yaml', undefined, /--retraining-targets: cannot read .*missing\.yaml \(ENOENT\)/],
    ['unknown.yaml', 'airflow:\n  - {name: a, address: "http://a:8080", password: x}\n', /unknown\.yaml: airflow\[0\]: unknown field password/],
    ['defaults.yaml', 'airflow:\n  - {name: a, address: "http://a:8080", default: true}\n  - {name: b, address: "http://b:8080", default: true}\n', /only one airflow connection may be the default, not a and b/],
    ['hook.yaml', 'webhooks:\n  - {name: w, url: "https://w"}\n', /hook\.yaml: webhooks\[0\]\.hmacSecret/],
  ];
  for (const [file, text, message] of cases) {
    const r = start(file, text);
    assert.equal(r.code, 2, `${file}: ${r.stderr}`);
    assert.match(r.stderr, /modelship: invalid configuration/);
    assert.match(r.stderr, message, file);
  }
});

void test('MODELSHIP_RETRAINING_TARGETS names the file as the flag does', () => {
  const r = start('env.yaml', 'webhooks:\n  - {name: w, url: "ftp://w", hmacSecret: {name: k, key: k}}\n', true);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /env\.yaml: webhooks\[0\]\.url: must be an http/);
});
