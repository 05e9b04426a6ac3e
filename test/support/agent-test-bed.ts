// What the agent's integration tests share: a real S3-compatible store (versitygw) with the named buckets,
// the OIP v2 iris stand-in as the model server, and every agent a test starts stopped at the end.
import { after } from 'node:test';
import { startS3Server, type S3Server } from '../cluster/s3-server.ts';
import type { AgentProcess } from './agent-process.ts';
import { startIrisUpstream } from './iris-upstream.ts';

export interface AgentTestBed {
  readonly s3: S3Server;
  readonly upstream: Awaited<ReturnType<typeof startIrisUpstream>>;
  /** Agents pushed here are killed after the file's tests. */
  readonly agents: AgentProcess[];
}

export async function agentTestBed(buckets: readonly string[]): Promise<AgentTestBed> {
  const s3 = await startS3Server();
  for (const b of buckets) await s3.createBucket(b);
  const upstream = await startIrisUpstream();
  const agents: AgentProcess[] = [];
  after(async () => {
    for (const a of agents) await a.stop('SIGKILL');
    await upstream.close();
    await s3.stop();
  });
  return { s3, upstream, agents };
}
