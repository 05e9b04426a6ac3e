// The operator's start-up with a sources file (--prometheus-sources): a file that is missing, not valid or
// clashing with --prometheus-address stops it with exit 2 and a message naming the problem, before it
// connects to anything.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { startScriptNodeFlags } from '../../cluster/start-script-flags.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'modelship-sources-'));

function start(file: string, text: string | undefined, ...flags: string[]): { code: number | null; stderr: string } {
  const path = join(dir, file);
  if (text !== undefined) writeFileSync(path, text);
  // An unreachable kubeconfig: were the file accepted, the operator would fail later, with exit 1.
  const r = spawnSync(process.execPath, [...startScriptNodeFlags(), 'src/main.ts', '--kubeconfig', join(dir, 'none'), '--identity', 't', `--prometheus-sources=${path}`, ...flags], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stderr: r.stderr };
}

void test('a bad sources file stops the operator at start-up with exit 2, naming the problem', () => {
  const cases: [string, string | undefined, RegExp, string[]][] = [
    ['missing.yaml', undefined, /--prometheus-sources: cannot read .*missing\.yaml \(ENOENT\)/, []],
    ['unknown.yaml', 'sources:\n  - {name: a, address: "http://p:9090", token: x}\n', /unknown\.yaml: sources\[0\]: unknown field token/, []],
    ['twice.yaml', 'sources:\n  - {name: a, address: "http://p:9090"}\n  - {name: a, address: "http://q:9090"}\n', /two sources are named a/, []],
    ['defaults.yaml', 'sources:\n  - {name: a, address: "http://p:9090", default: true}\n  - {name: b, address: "http://q:9090", default: true}\n', /only one source may be the default, not a and b/, []],
    ['clash.yaml', 'sources:\n  - {name: a, address: "http://p:9090", default: true}\n', /--prometheus-address and the source a of .*clash\.yaml are both a default/, ['--prometheus-address=http://r:9090']],
  ];
  for (const [file, text, message, flags] of cases) {
    const r = start(file, text, ...flags);
    assert.equal(r.code, 2, `${file}: ${r.stderr}`);
    assert.match(r.stderr, /modelship: invalid configuration/);
    assert.match(r.stderr, message, file);
  }
});
