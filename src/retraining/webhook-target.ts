// I/O: a webhook delivery of one trigger: POST the payload as JSON to the platform's URL, signed
// (webhook-signature.ts). Any 2xx is delivered. The delivery id is the trigger id, so a receiver that
// keeps the ids it has handled (docs/retraining.md) acts once when a delivery is repeated after a crash
// or a lost answer. The webhook's outcome is the receiver's own: status stays Sent.
import type { ApiClient } from '../kube/api-client.ts';
import type { OutboundClient } from '../outbound/index.ts';
import type { SendResult } from './send-result.ts';
import { secretValue } from './secret-value.ts';
import type { WebhookEndpoint } from './targets-file.ts';
import { signedHeaders } from './webhook-signature.ts';

const TIMEOUT_MS = 15_000;

export interface WebhookTargetDeps {
  readonly http: OutboundClient;
  readonly client: ApiClient;
  readonly namespace: string;
  readonly now: () => Date;
}

export async function sendWebhook(deps: WebhookTargetDeps, endpoint: WebhookEndpoint, id: string, payload: unknown): Promise<SendResult> {
  let key: string;
  try {
    key = await secretValue(deps.client, deps.namespace, endpoint.hmacSecret.name, endpoint.hmacSecret.key);
  } catch (err) {
    return { ok: false, message: `webhook ${endpoint.name}: ${err instanceof Error ? err.message : String(err)}` };
  }
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(deps.now().getTime() / 1000);
  try {
    const res = await deps.http.send(new URL(endpoint.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders(key, id, timestamp, body) },
      body,
      maxBytes: 64 * 1024,
      timeoutMs: TIMEOUT_MS,
    });
    if (res.status >= 200 && res.status < 300) return { ok: true, runId: id, duplicate: false };
    return { ok: false, message: `webhook ${endpoint.name} answered HTTP ${res.status} ${res.body.replace(/\s+/g, ' ').slice(0, 200)}` };
  } catch (err) {
    return { ok: false, message: `webhook ${endpoint.name} cannot be reached: ${err instanceof Error ? err.message : String(err)}` };
  }
}
