// Stopping the harness must leave nothing behind: no process, no listening port, no folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { startControlPlane } from '../cluster/control-plane.ts';

function listeningPortsOf(pids: readonly number[]): number[] {
  const out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  const ports: number[] = [];
  for (const line of out.split('\n')) {
    const pid = /pid=(\d+)/.exec(line)?.[1];
    const port = /:(\d+)\s/.exec(line)?.[1];
    if (pid && port && pids.includes(Number(pid))) ports.push(Number(port));
  }
  return ports;
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

test('stopping the control plane leaves no process, port or folder behind', async () => {
  const cp = await startControlPlane();
  const pids = [...cp.processes.values()].map((p) => p.pid);
  assert.equal(pids.length, 5, 'etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok');
  const ports = listeningPortsOf(pids);
  assert.ok(ports.length >= 5, `components listen on loopback ports: ${ports.join(', ')}`);

  await cp.stop();

  for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `process ${pid} is gone`);
  for (const port of ports) assert.equal(await refusesConnections(port), true, `port ${port} is closed`);
  assert.equal(existsSync(cp.dir), false, 'its folder is removed');
});
