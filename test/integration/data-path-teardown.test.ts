// The data path leaves nothing behind: stopping a control plane started with one removes its network
// namespace, host route and processes, and the sweep does the same for one whose owner was killed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { startControlPlane } from '../cluster/control-plane.ts';
import { podNetworkNamespaces, sweepAbandonedPodNetworks } from '../cluster/pod-network.ts';

/** Gone, or a zombie waiting for init to reap it (it was killed; its parent died before). */
function dead(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, '').trim().startsWith('Z');
  } catch {
    return true;
  }
}

const hostRoutes = () => execFileSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' });

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      res(false);
    });
    socket.once('error', () => res(true));
  });
}

test('stopping a control plane with a data path removes its namespace, route, processes and ports', async () => {
  const cp = await startControlPlane({ dataPath: true });
  const dataPath = cp.dataPath;
  assert.ok(dataPath?.traefik);
  const { namespace, cidr } = dataPath.network;
  assert.ok(podNetworkNamespaces().includes(namespace));
  assert.match(hostRoutes(), new RegExp(`^${cidr.replace(/\./g, '\\.')} dev ${dataPath.network.hostInterface}`, 'm'));
  const pids = [dataPath.traefik.process.pid, dataPath.simulator.process.pid];
  const ports = [dataPath.traefik.port, dataPath.traefik.apiPort];

  await cp.stop();

  assert.equal(podNetworkNamespaces().includes(namespace), false, `${namespace} is gone`);
  assert.equal(hostRoutes().includes(cidr), false, `no host route for ${cidr} is left`);
  for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `process ${pid} is gone`);
  for (const port of ports) assert.equal(await refusesConnections(port), true, `port ${port} is closed`);
  assert.equal(existsSync(cp.dir), false);
});

test('the sweep removes the pod network and kills the processes of an owner killed with kill -9', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'modelship-dp-'));
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '..', 'support', 'abandon-pod-network.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((res) => child.once('exit', res));
  const line = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout }).once('line', res);
    child.once('exit', (code) => rej(new Error(`abandon-pod-network.ts exited with ${code}`)));
  });
  const made = JSON.parse(line) as { namespace: string; cidr: string; pid: number; podPid: number };
  child.kill('SIGKILL');
  await exited;
  assert.ok(podNetworkNamespaces().includes(made.namespace), 'left behind by its dead owner');
  assert.ok(existsSync(`/proc/${made.pid}`), 'its process too');
  assert.ok(existsSync(`/proc/${made.podPid}`), "and a process runtime pod's process");

  sweepAbandonedPodNetworks();

  assert.equal(podNetworkNamespaces().includes(made.namespace), false, `${made.namespace} is swept`);
  assert.equal(hostRoutes().includes(made.cidr), false);
  assert.ok(dead(made.pid), `process ${made.pid} is killed`);
  assert.ok(dead(made.podPid), `the pod's process ${made.podPid} is killed`);
  assert.equal(existsSync(dir), false, 'its folder is removed');
});
