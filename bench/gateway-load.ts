// Constant load through the data path's gateway, one Host at a time: a fixed number of workers, each sending
// an inference request, then waiting a fixed gap. Every reply is kept with its time, so failures can be
// counted over any window afterwards. Bounded in time by whoever calls stop(), and in count by `maxRequests`.
import { request } from 'undici';
import { sleep } from './parallel.ts';

export interface Sample {
  /** performance.now() when the reply (or the error) came. */
  readonly at: number;
  /** HTTP status; 0 for a connection error or time-out. */
  readonly status: number;
  readonly version: string;
}

export interface GatewayLoad {
  samples(): readonly Sample[];
  /** Replies in [from, to] that were not 200. */
  failedBetween(from: number, to: number): { requests: number; failed: number; statuses: Record<string, number> };
  stop(): Promise<void>;
}

const body = JSON.stringify({ inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [[5.1, 3.5, 1.4, 0.2]] }] });

export function startGatewayLoad(gatewayUrl: string, host: string, options: { workers: number; gapMs: number; maxRequests: number }): GatewayLoad {
  const samples: Sample[] = [];
  let running = true;
  const worker = async () => {
    while (running && samples.length < options.maxRequests) {
      let status: number;
      let version = '';
      try {
        const res = await request(`${gatewayUrl}/v2/models/${'model'}/infer`, {
          method: 'POST',
          headers: { host, 'content-type': 'application/json' },
          body,
          headersTimeout: 5000,
          bodyTimeout: 5000,
        });
        status = res.statusCode;
        const text = await res.body.text();
        if (status === 200) version = (JSON.parse(text) as { model_version?: string }).model_version ?? '';
      } catch {
        status = 0;
      }
      samples.push({ at: performance.now(), status, version });
      await sleep(options.gapMs);
    }
  };
  const workers = Array.from({ length: options.workers }, worker);
  return {
    samples: () => samples,
    failedBetween(from, to) {
      const window = samples.filter((s) => s.at >= from && s.at <= to);
      const statuses: Record<string, number> = {};
      for (const s of window) statuses[String(s.status)] = (statuses[String(s.status)] ?? 0) + 1;
      return { requests: window.length, failed: window.filter((s) => s.status !== 200).length, statuses };
    },
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}
