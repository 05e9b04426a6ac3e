// I/O edge of the built-in smoke check: sends every sample to every ready canary pod (at most
// MAX_SMOKE_REQUESTS in all, smoke-plan.ts; at most 4 in flight) and judges each answer
// (smoke-response.ts); the result is summarized by smoke-summary.ts.
//
// The operator talks to the pods directly (pod IP and the server's HTTP container port), not to the
// canary Service: each pod is checked, not whichever one the Service would pick, and pod addresses
// are reachable both from the operator's pod and from an operator run outside the cluster (the
// tests and `npm run demo`), where Service cluster IPs are not. A NetworkPolicy that isolates the
// model servers must therefore let the operator in. No proxy is used: the outbound client is direct.
import type { SampleProtocol } from '../api/analysis-spec.ts';
import { judgeSmokeResponse } from './smoke-response.ts';
import type { SmokeResponse } from './smoke-response.ts';
import type { JsonObject } from './smoke-samples.ts';
import { podUrl, smokeRequestPath } from './smoke-request.ts';
import { summarizeSmokeCheck } from './smoke-summary.ts';
import { planSmokeRequests } from './smoke-plan.ts';
import type { SmokeCheckResult, SmokeOutcome } from './smoke-summary.ts';
import { createOutboundClient, OutboundError, type Cidr, type OutboundClient } from '../outbound/index.ts';

export interface SmokeTarget {
  /** Pod name, for the message. */
  readonly pod: string;
  /** status.podIP */
  readonly ip: string;
  /** The model server's HTTP container port. */
  readonly port: number;
}

export interface SmokeCheckInput {
  readonly targets: readonly SmokeTarget[];
  readonly samples: readonly JsonObject[];
  readonly protocol: SampleProtocol;
  /** Request path for protocol json. */
  readonly path?: string;
  readonly modelName: string;
  readonly maxLatencyMs: number;
  /** Per request; default maxLatencyMs + 1 s: a slower answer fails anyway, the margin lets the message say how slow. */
  readonly timeoutMs?: number;
  /** Requests in flight at once; default 4, so a small canary is not flooded. */
  readonly concurrency?: number;
  /** Loopback or link-local addresses the platform allows (--outbound-allow-cidrs); default none. */
  readonly allowCidrs?: readonly Cidr[];
  /** Ends the check: no further sample is sent and requests in flight are cancelled. */
  readonly signal?: AbortSignal;
}

export type { SmokeCheckResult } from './smoke-summary.ts';

const DEFAULT_CONCURRENCY = 4;
/** A smoke answer is one prediction; anything bigger fails the sample. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

async function sendSample(
  http: OutboundClient,
  target: SmokeTarget,
  path: string,
  sample: JsonObject,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<SmokeResponse | { error: string }> {
  const started = performance.now();
  try {
    const res = await http.send(new URL(podUrl(target.ip, target.port, path)), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(sample),
      maxBytes: MAX_RESPONSE_BYTES,
      timeoutMs,
      ...(signal ? { signal } : {}),
    });
    return { ...res, latencyMs: performance.now() - started };
  } catch (err) {
    return { error: err instanceof OutboundError ? err.message : 'request failed' };
  }
}

export async function runSmokeCheck(input: SmokeCheckInput): Promise<SmokeCheckResult> {
  const { targets, samples, protocol, modelName, maxLatencyMs } = input;
  if (targets.length === 0) return { passed: false, message: 'no ready canary pods to send the samples to', requests: 0, failures: 0 };
  if (samples.length === 0) return { passed: false, message: 'no samples to send', requests: 0, failures: 0 };
  const path = smokeRequestPath(protocol, modelName, input.path);
  if (path === undefined) {
    return { passed: false, message: 'smoke protocol json needs a request path (spec.rollout.validation.smoke.path)', requests: 0, failures: 0 };
  }
  const timeoutMs = input.timeoutMs ?? maxLatencyMs + 1000;
  const plan = planSmokeRequests(targets.length, samples.length);
  const jobs = plan.requests.map((r) => ({ target: targets[r.target]!, sample: samples[r.sample]!, index: r.sample }));
  const outcomes: SmokeOutcome[] = new Array<SmokeOutcome>(jobs.length);
  const http = createOutboundClient({ allowCidrs: input.allowCidrs ?? [] });
  let next = 0;
  const worker = async () => {
    while (next < jobs.length && !input.signal?.aborted) {
      const i = next++;
      const { target, sample, index } = jobs[i]!;
      const sent = await sendSample(http, target, path, sample, timeoutMs, input.signal);
      outcomes[i] =
        'error' in sent
          ? { pod: target.pod, sample: index, verdict: { ok: false, reason: sent.error }, latencyMs: undefined }
          : { pod: target.pod, sample: index, verdict: judgeSmokeResponse(sent, protocol, maxLatencyMs), latencyMs: sent.latencyMs };
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs.length, input.concurrency ?? DEFAULT_CONCURRENCY) }, worker));
  } finally {
    await http.close();
  }
  // Cancelled: samples never sent leave holes, which must not read as a pass.
  if (input.signal?.aborted) {
    const sent = outcomes.filter((o) => o !== undefined).length;
    return { passed: false, message: 'the smoke check was cancelled before every sample was answered', requests: sent, failures: 0 };
  }
  return summarizeSmokeCheck(outcomes, plan.note);
}
