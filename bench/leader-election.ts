// Leader election between two operator processes with `models` ModelDeployments reconciled, at the
// default timings (15 s lease, 10 s renew deadline, 2 s retry), each scenario `repetitions` times:
// - kill -9 of the leader: time to the other's takeover, from the kill and from the last renewal;
// - SIGTERM of the leader (it releases the Lease): time to the other's takeover;
// - etcd, then kube-apiserver, stalled (SIGSTOP) for `stallMs`, longer than the lease: whether the
//   leader exited, and the time from the end of the stall to a leader renewing again.
// A replica that ended is started again under a new identity before the next repetition, as a
// Deployment's pod would be.
import { readFileSync } from 'node:fs';
import { startBenchCluster, SYSTEM_NAMESPACE } from './bench-cluster.ts';
import { startOperator, type OperatorLaunch, type OperatorRun } from './operator-runner.ts';
import { observeLease, type LeaseObserver } from './lease-observer.ts';
import { modelDeployment, namespacesOf, placements } from './workload.ts';
import { forEachLimit, sleep } from './parallel.ts';
import { summarize, type Summary } from './stats.ts';

const LEASE = 'modelship-leader';
const LEASE_DURATION_MS = 15_000;

export interface LeaderElectionResult {
  readonly modelDeployments: number;
  readonly repetitions: number;
  readonly timings: { leaseDurationSeconds: number; renewDeadlineSeconds: number; retryPeriodSeconds: number };
  /** fromLastRenewal: the Lease's last renewTime by the dead leader to the takeover seen from outside; ownLog: to the new leader's "became leader" line. */
  readonly kill9: { fromKillSeconds: Summary; fromLastRenewalSeconds: Summary; fromLastRenewalOwnLogSeconds: Summary; runs: { fromKill: number; fromLastRenewal: number; fromLastRenewalOwnLog: number }[] };
  /** fromSignal includes the leader's graceful stop (in-flight reconciles end first); fromRelease starts when the emptied Lease is seen. */
  readonly sigterm: { fromSignalSeconds: Summary; fromReleaseSeconds: Summary; runs: { fromSignal: number; fromRelease: number }[] };
  readonly stall: { stallSeconds: number; fromResumeSeconds: Summary; runs: StallRun[] };
  readonly apiServerStall: { stallSeconds: number; fromResumeSeconds: Summary; runs: StallRun[] };
}

interface StallRun {
  readonly fromResume: number;
  readonly leaderExited: boolean;
  readonly newLeaderWasOld: boolean;
}

export async function runLeaderElectionGroup(options: { models: number; repetitions: number; stallMs: number; launch: OperatorLaunch }, log: (m: string) => void): Promise<LeaderElectionResult> {
  const cluster = await startBenchCluster({ nodes: Math.ceil(options.models / 100) + 1 });
  const replicas = new Map<string, OperatorRun>();
  let observer: LeaseObserver | undefined;
  let started = 0;
  try {
    const kubeconfig = await cluster.kubeconfigFor('modelship');
    const start = async (): Promise<void> => {
      const name = `replica-${++started}`;
      replicas.set(
        name,
        await startOperator({
          kubeconfig,
          dir: cluster.dir,
          name,
          ...options.launch,
          flags: ['--leader-elect=true', `--leader-election-namespace=${SYSTEM_NAMESPACE}`, `--leader-election-id=${LEASE}`],
        }),
      );
    };
    const list = placements('leader', options.models);
    await cluster.createNamespaces(namespacesOf(list));
    await forEachLimit(list, 32, (p) => cluster.client.create({ apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', namespace: p.namespace }, modelDeployment(p)).then(() => undefined));
    await start();
    await start();
    observer = observeLease(cluster.client, `/apis/coordination.k8s.io/v1/namespaces/${SYSTEM_NAMESPACE}/leases/${LEASE}`);
    const obs = observer;
    const leaderNow = async (): Promise<{ name: string; run: OperatorRun }> => {
      const s = await obs.waitFor('a leader', 0, (x) => replicas.has(x.holder), 60_000);
      const holder = obs.current()?.holder ?? s.holder;
      const run = replicas.get(holder);
      if (!run) throw new Error(`the Lease names ${holder}, not a running replica`);
      return { name: holder, run };
    };
    const refill = async (): Promise<void> => {
      for (const [name, run] of replicas) if (!run.running()) replicas.delete(name);
      while (replicas.size < 2) await start();
      // The follower has read the Lease once it is ready; give its watch a moment to be established.
      await sleep(3000);
    };
    const { name: first } = await leaderNow();
    log(`leader-election: ${first} leads; waiting for the ${options.models} models to be reconciled`);
    await sleep(20_000);

    const kill9: LeaderElectionResult['kill9']['runs'] = [];
    const sigterm: LeaderElectionResult['sigterm']['runs'] = [];
    /** When the replica's own log first says `msg` (ms since the epoch). */
    const logTime = async (run: OperatorRun, msg: string): Promise<number> => {
      // The Lease may be seen taken before the new leader has read its answer and logged the line.
      for (let tries = 0; tries < 250; tries++) {
        const line = readFileSync(run.logFile, 'utf8').split('\n').find((l) => l.includes(`"msg":"${msg}"`));
        if (line) return Date.parse((JSON.parse(line) as { time: string }).time);
        await sleep(20);
      }
      return NaN;
    };
    const stall: StallRun[] = [];
    const apiServerStall: StallRun[] = [];
    for (let i = 0; i < options.repetitions; i++) {
      let leader = await leaderNow();
      const killedAt = Date.now();
      leader.run.kill('SIGKILL');
      await leader.run.exited();
      const lastRenewal = Math.max(...obs.sightings.filter((s) => s.holder === leader.name).map((s) => s.renewTime));
      const taken = await obs.waitFor('a takeover after kill -9', killedAt, (s) => s.holder !== leader.name && replicas.has(s.holder), 60_000);
      const taker = replicas.get(taken.holder);
      const ownLog = taker ? await logTime(taker, 'became leader') : NaN;
      kill9.push({ fromKill: (taken.seenAt - killedAt) / 1000, fromLastRenewal: (taken.seenAt - lastRenewal) / 1000, fromLastRenewalOwnLog: (ownLog - lastRenewal) / 1000 });
      log(`leader-election: kill -9 ${i + 1}: taken over ${kill9.at(-1)?.fromKill.toFixed(2)} s after the kill, ${kill9.at(-1)?.fromLastRenewal.toFixed(2)} s after the last renewal (own log ${kill9.at(-1)?.fromLastRenewalOwnLog.toFixed(2)} s)`);
      await refill();

      leader = await leaderNow();
      const signalledAt = Date.now();
      leader.run.kill('SIGTERM');
      const handed = await obs.waitFor('a takeover after SIGTERM', signalledAt, (s) => s.holder !== leader.name && replicas.has(s.holder), 60_000);
      // The emptied Lease as the observer saw it, else (taken within one 20 ms poll) the leader's own log line.
      const released = obs.sightings.find((x) => x.seenAt >= signalledAt && x.holder === '')?.seenAt ?? (await logTime(leader.run, 'released the lease'));
      sigterm.push({ fromSignal: (handed.seenAt - signalledAt) / 1000, fromRelease: (handed.seenAt - released) / 1000 });
      log(`leader-election: SIGTERM ${i + 1}: taken over ${sigterm.at(-1)?.fromSignal.toFixed(2)} s after the signal, ${sigterm.at(-1)?.fromRelease.toFixed(2)} s after the release was seen`);
      await leader.run.exited();
      await refill();

      for (const [component, runs] of [['etcd', stall], ['kube-apiserver', apiServerStall]] as const) {
        leader = await leaderNow();
        const proc = cluster.cp.processes.get(component);
        if (!proc) throw new Error(`no ${component} process to stall`);
        proc.killNow('SIGSTOP');
        await sleep(options.stallMs);
        const resumedAt = Date.now();
        proc.killNow('SIGCONT');
        const renewed = await obs.waitFor('a leader renewing after the stall', resumedAt, (x) => x.holder !== '' && replicas.has(x.holder), 60_000);
        // Has the old leader exited (lost leadership) by now, or does it still run?
        await sleep(1000);
        runs.push({ fromResume: (renewed.seenAt - resumedAt) / 1000, leaderExited: !leader.run.running(), newLeaderWasOld: renewed.holder === leader.name });
        log(`leader-election: ${component} stall ${i + 1}: ${renewed.holder} renewed ${runs.at(-1)?.fromResume.toFixed(2)} s after it resumed; old leader exited: ${!leader.run.running()}`);
        await refill();
      }
    }
    return {
      modelDeployments: options.models,
      repetitions: options.repetitions,
      timings: { leaseDurationSeconds: LEASE_DURATION_MS / 1000, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 },
      kill9: {
        fromKillSeconds: summarize(kill9.map((r) => r.fromKill)),
        fromLastRenewalSeconds: summarize(kill9.map((r) => r.fromLastRenewal)),
        fromLastRenewalOwnLogSeconds: summarize(kill9.map((r) => r.fromLastRenewalOwnLog)),
        runs: kill9,
      },
      sigterm: { fromSignalSeconds: summarize(sigterm.map((r) => r.fromSignal)), fromReleaseSeconds: summarize(sigterm.map((r) => r.fromRelease)), runs: sigterm },
      stall: { stallSeconds: options.stallMs / 1000, fromResumeSeconds: summarize(stall.map((r) => r.fromResume)), runs: stall },
      apiServerStall: { stallSeconds: options.stallMs / 1000, fromResumeSeconds: summarize(apiServerStall.map((r) => r.fromResume)), runs: apiServerStall },
    };
  } finally {
    observer?.stop();
    await Promise.all([...replicas.values()].map((r) => r.stop()));
    await cluster.stop();
  }
}
