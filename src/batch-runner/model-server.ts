// The model server beside the runner: waiting for it to be ready, and one V2 inference call.
import { http } from '../node-http.ts';
import type { RequestOptions } from 'node:http';
import { urlToHttpOptions } from 'node:url';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { boundedText } from '../fetcher/exit-codes.ts';
import { FetchFailure } from '../fetcher/failure.ts';
import type { InferOutcome } from './bisect.ts';
import { BatchFailure } from './exit-codes.ts';
import type { InFlightLimit } from './in-flight-limit.ts';
import { buildRequest, inferPath, splitResponse } from './v2.ts';

/** The first `code` along an error's cause chain, else its name. */
function causeCode(err: unknown): string {
  for (let e: unknown = err, depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.name : 'error';
}

// node:http, not fetch: the first fetch loads Node's bundled undici, about 12 MiB of resident memory the
// runner has no other use for.
/** The status of a GET, its body discarded; a network error or `timeoutMs` of silence rejects. */
function getStatus(url: string, timeoutMs: number): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = (target.protocol === 'https:' ? httpsRequest : http.request)(target, { method: 'GET', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`${url}: no answer within ${Math.round(timeoutMs / 1000)}s`), { name: 'TimeoutError' })));
    req.on('error', reject);
    req.end();
  });
}

export async function waitReady(server: string, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (let n = 0; ; n++) {
    try {
      const status = await getStatus(`${server}/v2/health/ready`, 5000);
      if (status === 200) return;
      last = `HTTP ${status}`;
    } catch (err) {
      last = boundedText(causeCode(err), 40);
    }
    if (Date.now() >= deadline) throw new BatchFailure('ServerNotReady', `${server}/v2/health/ready did not answer 200 within ${Math.round(timeoutMs / 1000)}s (last: ${last})`);
    if (n % 30 === 29) log(`modelship-batch: waiting for ${server} to be ready (${last})`);
    await sleep(Math.min(1000, Math.max(0, deadline - Date.now())));
  }
}

export interface InferCall {
  readonly outcome: InferOutcome;
  readonly modelVersion?: string | undefined;
}

export const INFER_TIMEOUT_MS = 300_000;

/** How long a kept-alive connection to the model server may stay idle in the runner's pool. */
export const SERVER_IDLE_MS = 1000;

// Inference goes through node:http on kept-alive connections, one per request in flight: through fetch
// each request cost the runner more CPU (streams, a body iterator, a write per piece) than its rows, CPU
// the model server beside it on the same node did not get. An idle connection is closed after
// SERVER_IDLE_MS, before the server closes it (uvicorn after 5 s): a request written as the server closes
// its end fails with ECONNRESET and costs a retry. A request in flight keeps its own 300-s timeout.
const agents = { http: new http.Agent({ keepAlive: true, timeout: SERVER_IDLE_MS }), https: new HttpsAgent({ keepAlive: true, timeout: SERVER_IDLE_MS }) };

/**
 * POSTs a JSON body and reads the whole answer. Network errors and a 300 s silence reject (with a code or
 * TimeoutError). With `limit`, the request waits for a slot and frees it as its answer ends, before the
 * answer is resolved, so a waiting request is sent first.
 */
export async function postJson(url: string, body: string, timeoutMs = INFER_TIMEOUT_MS, limit?: InFlightLimit): Promise<{ status: number; text: string }> {
  const target = requestTarget(url);
  // The body goes as a string: Node writes it behind the headers in one write, with no Buffer copy first.
  const length = Buffer.byteLength(body);
  const wait = limit?.acquire();
  if (wait !== undefined) await wait;
  let held = limit !== undefined;
  const free = () => {
    if (held) limit?.release();
    held = false;
  };
  return new Promise((resolve, reject) => {
    // One timer for the whole answer: cheaper than req.setTimeout's socket listeners, set and removed per request.
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`${url}: no answer within ${Math.round(timeoutMs / 1000)}s`), { name: 'TimeoutError' })), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      free();
      reject(err);
    };
    const options = { ...target.options, headers: { 'content-type': 'application/json', 'content-length': length } };
    const req = (target.secure ? httpsRequest : http.request)(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        free();
        const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, text });
      });
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** A URL's request options, parsed once: every request of a run goes to the same one or two URLs. */
const targets = new Map<string, { readonly secure: boolean; readonly options: RequestOptions }>();

function requestTarget(url: string): { readonly secure: boolean; readonly options: RequestOptions } {
  let target = targets.get(url);
  if (target === undefined) {
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    target = { secure, options: { ...urlToHttpOptions(u), method: 'POST', agent: secure ? agents.https : agents.http } };
    if (targets.size < 16) targets.set(url, target);
  }
  return target;
}

/** One request: a refusal (4xx) is an outcome; 5xx, 408, 429 and network errors throw, for the retry policy. */
export async function inferOnce(server: string, model: string, version: string | undefined, rows: readonly (readonly number[])[], limit?: InFlightLimit): Promise<InferCall> {
  const url = `${server}${inferPath(model, version)}`;
  const { status, text } = await postJson(url, JSON.stringify(buildRequest(rows)), INFER_TIMEOUT_MS, limit);
  if (status >= 500 || status === 408 || status === 429) throw new FetchFailure('Unavailable', `${url}: the model server failed (HTTP ${status})`, true);
  if (status >= 400) return { outcome: { ok: false, reason: `rejected by the model: HTTP ${status}: ${boundedText(text, 200)}` } };
  if (status !== 200) throw new FetchFailure('Unavailable', `${url}: unexpected response (HTTP ${status})`, true);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { outcome: { ok: false, reason: 'the model server answered with invalid JSON' } };
  }
  const split = splitResponse(body, rows.length);
  if (!split.ok) return { outcome: { ok: false, reason: split.error } };
  return { outcome: { ok: true, predictions: split.predictions }, modelVersion: split.modelVersion };
}
