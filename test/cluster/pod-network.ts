// The pod network of the traffic tests: a network namespace the harness makes itself, joined to the host by a
// veth pair. The API server refuses loopback addresses in EndpointSlices, so pods get kwok's addresses from a
// private /16 that exists only here: every pod IP is a /32 on the namespace's end of the veth, and the host
// reaches the whole /16 through the host end, which holds the /16's last usable address (x.y.255.254; kwok
// hands pod IPs out from x.y.0.1 upwards and is given that same address as its --node-ip).
//
// Containment: the namespace has no route but the /16 on its veth (no default route), IPv6 is off on both
// ends, and the host's route for the /16 points into the namespace, so traffic to a pod IP never leaves the
// machine. A data path's processes are always stopped before its namespace is removed.
//
// Every pod network is recorded in <tmp>/modelship-netns/<name>.json with its owner's pid, the pids of the
// processes that use it and the folder they run in. sweepAbandonedPodNetworks() (called when a control plane
// or a data path starts) kills what an owner that died left running and deletes its namespace.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { processAlive, readFileSafe } from './sweep.ts';
import { withDirectoryLock } from './directory-lock.ts';

const execFileAsync = promisify(execFile);

/** The /16 of the shared control plane (kwok's default in control-plane.ts). */
export const defaultPodCidr = '10.244.0.0/16';
/** /16s handed to control planes started with a data path of their own, so that several can run at once. */
export const dataPathPodCidrs: readonly string[] = Array.from({ length: 10 }, (_, i) => `10.${245 + i}.0.0/16`);

/** The interface name of the namespace's end of the veth. */
export const podInterface = 'eth0';

export interface PodNetwork {
  /** Name of the network namespace (`ip netns exec <namespace> ...`). */
  readonly namespace: string;
  /** The pods' /16, e.g. 10.244.0.0/16. */
  readonly cidr: string;
  /** The host end's address, x.y.255.254 (kwok's --node-ip). */
  readonly hostAddress: string;
  /** The host end's interface name. */
  readonly hostInterface: string;
  /** Adds a pod IP (/32) to the namespace's interface; a no-op when present. */
  addAddress(ip: string): Promise<void>;
  /** Removes a pod IP; a no-op when absent. */
  removeAddress(ip: string): Promise<void>;
  /** The pod IPs currently present in the namespace. */
  addresses(): Promise<string[]>;
  /** Records a process that uses the network (killed by the sweep if the owner dies). */
  recordProcess(pid: number): void;
  /** Deletes the namespace, and with it the veth pair and the host route. */
  stop(): Promise<void>;
}

export interface PodNetworkOptions {
  /** The /16 to use; by default the first free one of dataPathPodCidrs. */
  readonly cidr?: string;
  /** Folder of the processes using the network (their command lines name it; the sweep checks that). */
  readonly dir: string;
  /** How long to wait for a /16 another live data path holds (default 120 s). */
  readonly waitMs?: number;
}

interface NetRecord {
  readonly owner: number;
  readonly namespace: string;
  readonly hostInterface: string;
  readonly cidr: string;
  readonly dir: string;
  readonly pids: number[];
}

function registryDir(): string {
  return join(tmpdir(), 'modelship-netns');
}

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function parseCidr(cidr: string): { base: number; bits: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  return { base: value - (value % size), bits };
}

function formatIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** True when ip lies inside cidr. */
export function cidrContains(cidr: string, address: string): boolean {
  const { base, bits } = parseCidr(cidr);
  const { base: value } = parseCidr(`${address}/32`);
  return value >= base && value < base + 2 ** (32 - bits);
}

/** The host end's address: the /16's last usable one, which kwok reaches only after 65533 pods. */
export function hostAddressOf(cidr: string): string {
  const { base, bits } = parseCidr(cidr);
  if (bits !== 16) throw new Error(`the pod network needs a /16, got ${cidr}`);
  return formatIp(base + 2 ** 16 - 2);
}

function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  const xEnd = x.base + 2 ** (32 - x.bits);
  const yEnd = y.base + 2 ** (32 - y.bits);
  return x.base < yEnd && y.base < xEnd;
}

/** Routes on the host that overlap cidr (the default route excepted). */
function hostRoutesOverlapping(cidr: string): string[] {
  const routes = JSON.parse(ip(['-j', '-4', 'route', 'show', 'table', 'all'])) as { dst: string; dev?: string; type?: string }[];
  return routes
    .filter((r) => r.dst !== 'default' && r.type !== 'broadcast')
    .map((r) => (r.dst.includes('/') ? r.dst : `${r.dst}/32`))
    .filter((dst) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(dst) && overlaps(dst, cidr));
}

function readRecords(): NetRecord[] {
  let entries: string[];
  try {
    entries = readdirSync(registryDir());
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.endsWith('.json'))
    .flatMap((e) => {
      try {
        return [JSON.parse(readFileSync(join(registryDir(), e), 'utf8')) as NetRecord];
      } catch {
        return [];
      }
    });
}

function writeRecord(record: NetRecord): void {
  mkdirSync(registryDir(), { recursive: true });
  const file = join(registryDir(), `${record.namespace}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(record));
  // rename is atomic: the sweep never reads half a record
  renameSync(`${file}.tmp`, file);
}

/** A short lock around choosing a /16 and creating the namespace, so two processes never pick the same one. */
function withRegistryLock<T>(work: () => T): Promise<T> {
  return withDirectoryLock(join(registryDir(), '.lock'), work);
}

function cidrFree(cidr: string): boolean {
  const held = readRecords().some((r) => r.cidr === cidr && processAlive(r.owner));
  return !held && hostRoutesOverlapping(cidr).length === 0;
}

/** The variable the process runtime sets on its pods' processes (their command lines name the pod's programs only). */
export const RUNTIME_DIR_VARIABLE = 'MODELSHIP_PROCESS_RUNTIME_DIR';

function namesFolder(pid: number, dir: string): boolean {
  return readFileSafe(`/proc/${pid}/cmdline`).includes(dir) || readFileSafe(`/proc/${pid}/environ`).includes(`${RUNTIME_DIR_VARIABLE}=${dir}`);
}

function killRecordedProcesses(record: NetRecord): void {
  for (const pid of record.pids) {
    // Only a pid whose command line (or, for the process runtime's pods, environment) still names the record's
    // folder: pids get reused.
    if (namesFolder(pid, record.dir)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
}

function deleteNamespace(record: Pick<NetRecord, 'namespace' | 'hostInterface'>): void {
  try {
    ip(['netns', 'del', record.namespace]);
  } catch {
    /* already gone */
  }
  // Deleting the namespace destroys the veth pair; this catches a half-made one.
  try {
    ip(['link', 'del', record.hostInterface]);
  } catch {
    /* already gone */
  }
}

/** Kills what a dead owner left running on its pod network and deletes the namespace. */
export function sweepAbandonedPodNetworks(): void {
  for (const record of readRecords()) {
    if (processAlive(record.owner)) continue;
    killRecordedProcesses(record);
    // Give the kernel a moment to reap a killed group before its network goes.
    for (const pid of record.pids) {
      for (let i = 0; i < 50 && processAlive(pid) && namesFolder(pid, record.dir); i++) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
    deleteNamespace(record);
    // A data path started beside a running control plane has a temporary folder of its own.
    if (basename(record.dir).startsWith('modelship-dp-')) rmSync(record.dir, { recursive: true, force: true });
    rmSync(join(registryDir(), `${record.namespace}.json`), { force: true });
  }
}

/** Names of the network namespaces the harness made (for leak checks). */
export function podNetworkNamespaces(): string[] {
  return ip(['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith('msnet-'));
}

function setUp(namespace: string, hostInterface: string, cidr: string, hostAddress: string): void {
  ip(['netns', 'add', namespace]);
  const inNs = (args: readonly string[]) => ip(['-n', namespace, ...args]);
  inNs(['link', 'set', 'lo', 'up']);
  ip(['link', 'add', hostInterface, 'type', 'veth', 'peer', 'name', podInterface, 'netns', namespace]);
  // No IPv6 on the link: nothing but the /16 ever crosses it (no files at all when the kernel has no IPv6).
  if (existsSync('/proc/sys/net/ipv6')) {
    writeFileSync(`/proc/sys/net/ipv6/conf/${hostInterface}/disable_ipv6`, '1');
    execFileSync('ip', ['netns', 'exec', namespace, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6']);
  }
  ip(['addr', 'add', `${hostAddress}/16`, 'dev', hostInterface]);
  ip(['link', 'set', hostInterface, 'up']);
  inNs(['link', 'set', podInterface, 'up']);
  // The namespace's only route: the /16 on its veth end (no default route).
  inNs(['route', 'add', cidr, 'dev', podInterface]);
}

export async function createPodNetwork(options: PodNetworkOptions): Promise<PodNetwork> {
  sweepAbandonedPodNetworks();
  const id = randomBytes(3).toString('hex');
  const namespace = `msnet-${id}`;
  const hostInterface = `msh-${id}`;
  const deadline = Date.now() + (options.waitMs ?? 120_000);
  let record: NetRecord | undefined;
  let announced = false;
  for (;;) {
    record = await withRegistryLock(() => {
      const cidr = options.cidr ?? dataPathPodCidrs.find(cidrFree);
      if (cidr === undefined || !cidrFree(cidr)) return undefined;
      const made: NetRecord = { owner: process.pid, namespace, hostInterface, cidr, dir: options.dir, pids: [] };
      writeRecord(made);
      try {
        setUp(namespace, hostInterface, cidr, hostAddressOf(cidr));
      } catch (err) {
        deleteNamespace(made);
        rmSync(join(registryDir(), `${namespace}.json`), { force: true });
        throw err;
      }
      return made;
    });
    if (record) break;
    const holders = options.cidr ? readRecords().filter((r) => r.cidr === options.cidr).map((r) => `${r.namespace} (pid ${r.owner})`) : [];
    if (Date.now() > deadline) {
      const routes = options.cidr ? hostRoutesOverlapping(options.cidr) : [];
      throw new Error(
        options.cidr
          ? `pod network ${options.cidr} is in use: ${[...holders, ...routes.map((r) => `host route ${r}`)].join(', ') || 'unknown'}`
          : `no free pod network among ${dataPathPodCidrs.join(', ')}`,
      );
    }
    if (!announced) process.stderr.write(`[pod-network] waiting for ${options.cidr ?? 'a free /16'}, held by ${holders.join(', ') || 'another data path'}\n`);
    announced = true;
    await new Promise((r) => setTimeout(r, 500));
  }
  const made = record;
  const hostAddress = hostAddressOf(made.cidr);
  const pids: number[] = [];
  let stopped = false;
  const inNs = async (args: readonly string[]) => (await execFileAsync('ip', ['-n', namespace, ...args], { encoding: 'utf8' })).stdout;

  return {
    namespace,
    cidr: made.cidr,
    hostAddress,
    hostInterface,
    async addAddress(address) {
      if (!cidrContains(made.cidr, address) || address === hostAddress) throw new Error(`${address} is not a pod address of ${made.cidr}`);
      try {
        await inNs(['addr', 'add', `${address}/32`, 'dev', podInterface]);
      } catch (err) {
        if (!String((err as { stderr?: string }).stderr).includes('File exists')) throw err;
      }
    },
    async removeAddress(address) {
      try {
        await inNs(['addr', 'del', `${address}/32`, 'dev', podInterface]);
      } catch {
        /* absent */
      }
    },
    async addresses() {
      const out = await inNs(['-j', '-4', 'addr', 'show', 'dev', podInterface]);
      const links = JSON.parse(out) as { addr_info?: { local: string }[] }[];
      return links.flatMap((l) => (l.addr_info ?? []).map((a) => a.local));
    },
    recordProcess(pid) {
      pids.push(pid);
      writeRecord({ ...made, pids });
    },
    stop() {
      if (stopped) return Promise.resolve();
      stopped = true;
      deleteNamespace(made);
      rmSync(join(registryDir(), `${namespace}.json`), { force: true });
      return Promise.resolve();
    },
  };
}
