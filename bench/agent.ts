// The inference agent's cost (group `agent`): the same model server driven directly and through the agent
// by the same closed-loop client over keep-alive connections. Two model servers: MLServer serving the
// sklearn iris model (the real thing, test/cluster/mlserver-process.ts) and an OIP v2 iris stand-in in a
// process of its own (bench/agent-upstream-process.ts), which answers about twenty times faster and so is a
// stress case: on shared cores its ratio measures CPU sharing among client, server and agent. The agent
// runs as the image runs it (the Dockerfile's ENTRYPOINT flags and ENV, the compile cache warmed by
// `agent --help` as the image's build does, the NODE_OPTIONS the pod renderer writes). Latency at a fixed
// concurrency (added p50/p99 = agent minus direct), throughput at saturation (agent / direct), the agent's
// RSS idle and at its peak (VmHWM). Twice per server: logging sampled out (--sample-rate=0) and every request
// logged (--sample-rate=1) to a slow sink (versitygw behind a TCP relay that holds every chunk 50 ms). Runs
// alternate direct and agent.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { imageEntrypointNodeFlags } from '../test/cluster/image-entrypoint.ts';
import { IRIS_MODEL, writeIrisModel } from '../test/cluster/iris-model.ts';
import { startMlserver, type MlserverProcess } from '../test/cluster/mlserver-process.ts';
import { ensureMlserverEnv } from '../test/cluster/python-env.ts';
import { startS3Server } from '../test/cluster/s3-server.ts';
import { sample, scrape, startAgent } from '../test/support/agent-process.ts';
import { slowRelay } from '../test/support/slow-relay.ts';
import { AGENT_NODE_OPTIONS } from '../src/render/agent-container.ts';
import { imageEnvironment } from './image-environment.ts';
import { COMPILE_CACHE } from './operator-runner.ts';
import { peakRssBytes, rssBytes } from './proc-stats.ts';
import { percentiles, round, summarize, type Summary } from './stats.ts';

const root = resolve(import.meta.dirname, '..');

export interface AgentBenchOptions {
  readonly toolsDir: string;
  readonly seconds: number;
  readonly runs: number;
  readonly latencyConcurrency: number;
  readonly saturationConcurrency: number;
}

interface LoadResult {
  readonly requests: number;
  readonly perSecond: number;
  readonly latencyMs: ReturnType<typeof percentiles>;
  readonly failed: number;
}

const BODY = JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP64', data: [5.1, 3.5, 1.4, 0.2] }] });

/** `concurrency` closed loops for `seconds` over keep-alive connections. */
export async function drive(port: number, concurrency: number, seconds: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failed = 0;
  const end = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((ok) => {
      const t0 = performance.now();
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v2/models/iris/infer', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - t0);
          else failed++;
          ok();
        });
      });
      req.on('error', () => {
        failed++;
        ok();
      });
      req.end(BODY);
    });
  // Warm-up: connections opened, code optimised.
  for (let i = 0; i < 200; i++) await one();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < end) await one(); }));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { requests: latencies.length, perSecond: round(latencies.length / elapsed, 1), latencyMs: percentiles(latencies.map((l) => round(l, 4))), failed };
}

export interface AgentScenario {
  readonly direct: { readonly latency: LoadResult; readonly saturation: LoadResult }[];
  readonly agent: {
    readonly latency: LoadResult;
    readonly saturation: LoadResult;
    readonly idleRssMiB: number;
    readonly peakRssMiB: number;
    readonly logRecords: Record<string, number>;
    readonly logFlushes: Record<string, number>;
    /** The agent's own lines about uploads (failures, retries, give-ups), at most 10. */
    readonly uploadLog: string[];
  }[];
  readonly addedP50Ms: Summary;
  readonly addedP99Ms: Summary;
  readonly throughputRatio: Summary;
  readonly idleRssMiB: Summary;
  readonly peakRssMiB: Summary;
}

const SCENARIOS = [
  ['sampledOut', ['--sample-rate=0']],
  ['everyRequestLoggedToSlowSink', ['--sample-rate=1']],
] as const;

export async function runAgentBench(o: AgentBenchOptions, log: (m: string) => void): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'modelship-agent-bench-'));
  const standIn = spawn(process.execPath, ['bench/agent-upstream-process.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let mlserver: MlserverProcess | undefined;
  const s3 = await startS3Server({ toolsDir: o.toolsDir });
  const relay = await slowRelay(Number(new URL(s3.endpoint).port), 50);
  try {
    const [portLine] = (await once(standIn.stdout, 'data')) as [Buffer];
    const standInPort = Number(portLine.toString().trim());
    const python = await ensureMlserverEnv({ log: (l) => log(`python env: ${l}`) });
    const modelsDir = join(work, 'models');
    await writeIrisModel(python, join(modelsDir, IRIS_MODEL), 100);
    mlserver = await startMlserver(python, modelsDir, join(work, 'mlserver.log'));
    await mlserver.waitReady(IRIS_MODEL);
    const mlserverPort = Number(new URL(mlserver.url).port);
    await s3.createBucket('logs');
    const nodeFlags = imageEntrypointNodeFlags();
    // The agent container as the image and the pod renderer run it: ENTRYPOINT flags, ENV, NODE_OPTIONS.
    const agentEnv = { ...imageEnvironment(), ...s3.fetcherEnv(), NODE_COMPILE_CACHE: COMPILE_CACHE, NODE_OPTIONS: AGENT_NODE_OPTIONS, AWS_ENDPOINT_URL: `http://127.0.0.1:${(relay.address() as AddressInfo).port}` };
    execFileSync(process.execPath, [...nodeFlags, 'src/main.ts', 'agent', '--help'], { cwd: root, env: { ...process.env, NODE_COMPILE_CACHE: COMPILE_CACHE }, stdio: 'ignore' });

    const scenario = async (server: string, upstreamPort: number, name: string, extra: readonly string[]): Promise<AgentScenario> => {
      const direct: AgentScenario['direct'][number][] = [];
      const via: AgentScenario['agent'][number][] = [];
      for (let run = 1; run <= o.runs; run++) {
        log(`agent ${server} ${name} run ${run}/${o.runs}: direct`);
        direct.push({ latency: await drive(upstreamPort, o.latencyConcurrency, o.seconds), saturation: await drive(upstreamPort, o.saturationConcurrency, o.seconds) });
        log(`agent ${server} ${name} run ${run}/${o.runs}: through the agent`);
        const agent = await startAgent(
          [`--upstream=http://127.0.0.1:${upstreamPort}`, '--log-uri=s3://logs/bench', '--namespace=bench', '--model=iris', '--version=1', '--variant=stable', '--revision=1', `--pod=${server}-${name}-${run}`, '--flush-interval=2s', ...extra],
          agentEnv,
          nodeFlags,
        );
        await new Promise((ok) => setTimeout(ok, 1000));
        const idle = rssBytes(agent.child.pid!);
        const latency = await drive(agent.port, o.latencyConcurrency, o.seconds);
        const saturation = await drive(agent.port, o.saturationConcurrency, o.seconds);
        const m = await scrape(agent.metricsPort);
        const logRecords = Object.fromEntries(['written', 'dropped', 'sampled_out'].map((outcome) => [outcome, sample(m, 'modelship_agent_log_records_total', { outcome })]));
        const logFlushes = Object.fromEntries(['ok', 'error'].map((result) => [result, sample(m, 'modelship_agent_log_flushes_total', { result })]));
        const peak = peakRssBytes(agent.child.pid!) ?? NaN;
        await agent.stop();
        const uploadLog = agent.stderr().split('\n').filter((l) => /upload|gave up/.test(l)).slice(0, 10);
        via.push({ latency, saturation, idleRssMiB: round(idle / 1024 / 1024, 1), peakRssMiB: round(peak / 1024 / 1024, 1), logRecords, logFlushes, uploadLog });
      }
      return {
        direct,
        agent: via,
        addedP50Ms: summarize(via.map((v, i) => round(v.latency.latencyMs.p50 - direct[i]!.latency.latencyMs.p50, 4))),
        addedP99Ms: summarize(via.map((v, i) => round(v.latency.latencyMs.p99 - direct[i]!.latency.latencyMs.p99, 4))),
        throughputRatio: summarize(via.map((v, i) => round(v.saturation.perSecond / direct[i]!.saturation.perSecond, 3))),
        idleRssMiB: summarize(via.map((v) => v.idleRssMiB)),
        peakRssMiB: summarize(via.map((v) => v.peakRssMiB)),
      };
    };

    const mlserverScenarios: Record<string, AgentScenario> = {};
    for (const [name, extra] of SCENARIOS) mlserverScenarios[name] = await scenario('mlserver', mlserverPort, name, extra);
    const standInScenarios: Record<string, AgentScenario> = {};
    for (const [name, extra] of SCENARIOS) standInScenarios[name] = await scenario('stand-in', standInPort, name, extra);
    return {
      targets: { addedP50Ms: 1, addedP99Ms: 3, throughputRatio: 0.9, peakRssMiB: 80 },
      settings: {
        ...o,
        agentCommand: `node ${nodeFlags.join(' ')} src/main.ts agent ...`,
        agentEnv: { ...imageEnvironment(), NODE_OPTIONS: AGENT_NODE_OPTIONS, NODE_COMPILE_CACHE: `${COMPILE_CACHE} (warmed by agent --help)` },
        slowSinkDelayMsPerChunk: 50,
        body: BODY,
      },
      mlserver: { server: 'MLServer 1.7.1 (test/cluster/python/mlserver-requirements.txt), sklearn LogisticRegression on iris, MLSERVER_PARALLEL_WORKERS=0, HTTP on loopback', ...mlserverScenarios },
      standIn: { server: 'test/support/iris-upstream.ts in a process of its own (a stress case: about twenty times faster than MLServer)', ...standInScenarios },
    };
  } finally {
    relay.close();
    await mlserver?.stop();
    await s3.stop();
    standIn.kill();
    rmSync(work, { recursive: true, force: true });
  }
}
