// PURE: the signature of a webhook delivery, and its verification as a receiver should do it
// (docs/retraining.md). The signed text is `<timestamp>.<raw body>`: the timestamp header is covered by
// the signature, so an old delivery replayed later fails the receiver's age check instead of passing as
// new; the delivery id (in the body and the X-Modelship-Delivery header) lets the receiver drop a
// repeated delivery of the same trigger.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DELIVERY_HEADER = 'x-modelship-delivery';
export const SIGNATURE_HEADER = 'x-modelship-signature';
export const TIMESTAMP_HEADER = 'x-modelship-timestamp';
/** A receiver refuses a delivery whose timestamp is further than this from its own clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` */
export function webhookSignature(key: string | Buffer, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The headers of a delivery, besides content-type. `timestamp` in Unix seconds. */
export function signedHeaders(key: string | Buffer, deliveryId: string, timestamp: number, body: string): Record<string, string> {
  return {
    [DELIVERY_HEADER]: deliveryId,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: webhookSignature(key, timestamp, body),
  };
}

export type VerifyResult = { ok: true } | { ok: false; why: string };

/** What a receiver checks: the signature over timestamp and raw body (constant time), then the timestamp's age. */
export function verifyWebhook(
  key: string | Buffer,
  headers: { signature?: string; timestamp?: string },
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
  const ts = Number(headers.timestamp);
  if (headers.timestamp === undefined || !/^[0-9]{1,12}$/.test(headers.timestamp)) return { ok: false, why: 'no timestamp' };
  if (headers.signature === undefined) return { ok: false, why: 'no signature' };
  const expected = Buffer.from(webhookSignature(key, ts, rawBody));
  const given = Buffer.from(headers.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, why: 'bad signature' };
  if (Math.abs(nowSeconds - ts) > toleranceSeconds) return { ok: false, why: 'timestamp too old or in the future' };
  return { ok: true };
}
