// The test runner's up-front check: one line per missing prerequisite, naming it and its install command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingPrerequisites, type Machine } from '../../prerequisites.ts';

const machine = (commands: readonly string[], over: Partial<Machine> = {}): Machine => ({
  hasCommand: (name) => commands.includes(name),
  goVersion: commands.includes('go') ? 'go1.26.8' : undefined,
  isRoot: true,
  prebuiltTools: false,
  ...over,
});

test('a machine with everything: nothing to say', () => {
  assert.deepEqual(missingPrerequisites(machine(['go', 'ip', 'ss', 'unshare', 'python3.11'])), []);
});

test('iproute2 missing: one line per command, each naming the apt command', () => {
  const lines = missingPrerequisites(machine(['go', 'unshare', 'python3.11']));
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^missing ip \(.+\): apt-get install -y iproute2 util-linux$/);
  assert.match(lines[1]!, /^missing ss \(.+\): apt-get install -y iproute2 util-linux$/);
});

test('not root: says so; Go is not needed when prebuilt tools are given', () => {
  const lines = missingPrerequisites(machine(['ip', 'ss', 'unshare', 'python3.11'], { isRoot: false, prebuiltTools: true }));
  assert.deepEqual(lines.map((l) => l.split(' ')[1]), ['root']);
  assert.deepEqual(missingPrerequisites(machine(['ip', 'ss', 'unshare', 'python3.11'])).map((l) => l.split(' ')[1]), ['go']);
});

test('a Go older than the modules need: named with its version', () => {
  const [line, ...rest] = missingPrerequisites(machine(['go', 'ip', 'ss', 'unshare', 'python3.11'], { goVersion: 'go1.25.3' }));
  assert.deepEqual(rest, []);
  assert.match(line!, /^go1\.25\.3 is too old \(.+\): install Go >= 1\.26/);
  assert.deepEqual(missingPrerequisites(machine(['go', 'ip', 'ss', 'unshare', 'python3.11'], { goVersion: 'go2.0' })), []);
});

test('no Python 3.11: says so, with how to get one', () => {
  const lines = missingPrerequisites(machine(['go', 'ip', 'ss', 'unshare']));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^missing python3\.11 \(.+MLServer.+\): .*python3\.11-venv/);
});
