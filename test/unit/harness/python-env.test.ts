import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pythonEnvDir, requirementsFile } from '../../cluster/python-env.ts';

test('the cached environment is keyed by the requirements: a changed pin is a new folder', () => {
  const a = pythonEnvDir('mlserver==1.7.1\n', '/cache');
  assert.match(a, /^\/cache\/python\/mlserver-[0-9a-f]{16}$/);
  assert.equal(pythonEnvDir('mlserver==1.7.1\n', '/cache'), a);
  assert.notEqual(pythonEnvDir('mlserver==1.7.2\n', '/cache'), a);
});

test('the requirements pin every package exactly, MLServer 1.7.1 with its sklearn and MLflow runtimes and uvloop below 0.22', () => {
  const lines = readFileSync(requirementsFile, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  assert.ok(lines.length > 50, 'a full pip freeze, transitive packages included');
  for (const line of lines) assert.match(line, /^[A-Za-z0-9_.-]+(\[[^\]]+\])?==[^=\s]+$/, `exact pin: ${line}`);
  const pins = new Map(lines.map((l) => [l.split('==')[0]?.toLowerCase(), l.split('==')[1]]));
  assert.equal(pins.get('mlserver'), '1.7.1');
  assert.equal(pins.get('mlserver-sklearn'), '1.7.1');
  assert.equal(pins.get('mlserver-mlflow'), '1.7.1');
  assert.match(pins.get('uvloop') ?? '', /^0\.(1\d|2[01])\./);
});
