// The ceiling of a batch run's throughput: the model server driven by the tightest client, pre-built V2
// request bodies (the runner's encoding, src/batch-runner/v2.ts) as bytes, POSTed with node:http on
// kept-alive connections at the same batch size and concurrency, each response only read to its end. No
// input to read or parse, no output to write.
import { Agent, request } from 'node:http';
import { buildRequest, inferPath } from '../src/batch-runner/v2.ts';

export interface PrebuiltBody {
  readonly body: Buffer;
  readonly rows: number;
}

/** The request bodies for `rows`, `batchSize` rows each (the last one may be shorter). */
export function prebuiltBodies(rows: readonly (readonly number[])[], batchSize: number): PrebuiltBody[] {
  const out: PrebuiltBody[] = [];
  for (let i = 0; i < rows.length; i += batchSize) {
    const batch = rows.slice(i, i + batchSize);
    out.push({ body: Buffer.from(JSON.stringify(buildRequest(batch))), rows: batch.length });
  }
  return out;
}

function post(url: URL, agent: Agent, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends every body once, `concurrency` in flight; resolves with the records scored and the seconds taken. */
export async function driveCeiling(server: string, model: string, bodies: readonly PrebuiltBody[], concurrency: number): Promise<{ records: number; seconds: number }> {
  const url = new URL(`${server}${inferPath(model, undefined)}`);
  const agent = new Agent({ keepAlive: true });
  let next = 0;
  let records = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const { body, rows } = bodies[next++]!;
      const status = await post(url, agent, body);
      if (status !== 200) throw new Error(`${url.href}: HTTP ${status}`);
      records += rows;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return { records, seconds: (performance.now() - started) / 1000 };
}
