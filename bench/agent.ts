// The inference agent's cost (group `agent`): the same model server (an OIP v2 iris stand-in in a process
// of its own, bench/agent-upstream-process.ts) driven directly and through the agent (`node
// --max-semi-space-size=1 src/main.ts agent`, the image's command) by the same closed-loop client over
// keep-alive connections. Latency at a fixed concurrency (added p50/p99 = agent minus direct), throughput
// at saturation (agent / direct), the agent's peak RSS (VmHWM). Twice: logging sampled out
// (--sample-rate=0) and every request logged (--sample-rate=1) to a slow sink (versitygw behind a TCP
// relay that holds every chunk 50 ms). Runs alternate direct and agent.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { createServer, connect, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { startS3Server } from '../test/cluster/s3-server.ts';
import { sample, scrape, startAgent } from '../test/support/agent-process.ts';
import { AGENT_NODE_OPTIONS } from '../src/render/agent-container.ts';
import { peakRssBytes } from './proc-stats.ts';
import { percentiles, round, summarize, type Summary } from './stats.ts';

const root = resolve(import.meta.dirname, '..');
export const AGENT_NODE_FLAGS = ['--max-semi-space-size=1'];

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
async function drive(port: number, concurrency: number, seconds: number): Promise<LoadResult> {
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

/** A TCP relay that holds every chunk `delayMs` each way: a slow object store. */
async function slowRelay(targetPort: number, delayMs: number): Promise<Server> {
  const server = createServer((client) => {
    const up = connect({ host: '127.0.0.1', port: targetPort });
    const delayed = (from: typeof client, to: typeof client) => from.on('data', (c: Buffer) => setTimeout(() => to.writable && to.write(c), delayMs));
    delayed(client, up);
    delayed(up, client);
    const close = () => {
      client.destroy();
      up.destroy();
    };
    client.on('error', close).on('close', close);
    up.on('error', close).on('close', close);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

export interface AgentScenario {
  readonly direct: { readonly latency: LoadResult; readonly saturation: LoadResult }[];
  readonly agent: { readonly latency: LoadResult; readonly saturation: LoadResult; readonly peakRssMiB: number; readonly logRecords: Record<string, number> }[];
  readonly addedP50Ms: Summary;
  readonly addedP99Ms: Summary;
  readonly throughputRatio: Summary;
  readonly peakRssMiB: Summary;
}

export async function runAgentBench(o: AgentBenchOptions, log: (m: string) => void): Promise<Record<string, unknown>> {
  const upstreamProc = spawn(process.execPath, ['bench/agent-upstream-process.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const [portLine] = (await once(upstreamProc.stdout, 'data')) as [Buffer];
  const upstreamPort = Number(portLine.toString().trim());
  const s3 = await startS3Server({ toolsDir: o.toolsDir });
  await s3.createBucket('logs');
  const relay = await slowRelay(Number(new URL(s3.endpoint).port), 50);
  // The agent container's environment as the pod renderer writes it (the old-space cap).
  const relayEnv = { ...s3.fetcherEnv(), NODE_OPTIONS: AGENT_NODE_OPTIONS, AWS_ENDPOINT_URL: `http://127.0.0.1:${(relay.address() as AddressInfo).port}` };
  try {
    const scenarios: Record<string, AgentScenario> = {};
    for (const [name, extra] of [
      ['sampledOut', ['--sample-rate=0']],
      ['everyRequestLoggedToSlowSink', ['--sample-rate=1']],
    ] as const) {
      const direct: AgentScenario['direct'][number][] = [];
      const via: AgentScenario['agent'][number][] = [];
      for (let run = 1; run <= o.runs; run++) {
        log(`agent ${name} run ${run}/${o.runs}: direct`);
        direct.push({ latency: await drive(upstreamPort, o.latencyConcurrency, o.seconds), saturation: await drive(upstreamPort, o.saturationConcurrency, o.seconds) });
        log(`agent ${name} run ${run}/${o.runs}: through the agent`);
        const agent = await startAgent(
          [`--upstream=http://127.0.0.1:${upstreamPort}`, '--log-uri=s3://logs/bench', '--namespace=bench', '--model=iris', '--version=1', '--variant=stable', '--revision=1', '--pod=bench', '--flush-interval=2s', ...extra],
          relayEnv,
          AGENT_NODE_FLAGS,
        );
        const latency = await drive(agent.port, o.latencyConcurrency, o.seconds);
        const saturation = await drive(agent.port, o.saturationConcurrency, o.seconds);
        const m = await scrape(agent.metricsPort);
        const logRecords = Object.fromEntries(['written', 'dropped', 'sampled_out'].map((outcome) => [outcome, sample(m, 'modelship_agent_log_records_total', { outcome })]));
        const peak = peakRssBytes(agent.child.pid!) ?? NaN;
        await agent.stop();
        via.push({ latency, saturation, peakRssMiB: round(peak / 1024 / 1024, 1), logRecords });
      }
      scenarios[name] = {
        direct,
        agent: via,
        addedP50Ms: summarize(via.map((v, i) => round(v.latency.latencyMs.p50 - direct[i]!.latency.latencyMs.p50, 4))),
        addedP99Ms: summarize(via.map((v, i) => round(v.latency.latencyMs.p99 - direct[i]!.latency.latencyMs.p99, 4))),
        throughputRatio: summarize(via.map((v, i) => round(v.saturation.perSecond / direct[i]!.saturation.perSecond, 3))),
        peakRssMiB: summarize(via.map((v) => v.peakRssMiB)),
      };
    }
    return {
      targets: { addedP50Ms: 1, addedP99Ms: 3, throughputRatio: 0.9, peakRssMiB: 80 },
      settings: { ...o, agentNodeFlags: AGENT_NODE_FLAGS, agentNodeOptions: AGENT_NODE_OPTIONS, slowSinkDelayMsPerChunk: 50, body: BODY },
      ...scenarios,
    };
  } finally {
    relay.close();
    await s3.stop();
    upstreamProc.kill();
  }
}
