// The x-request-id of a proxied request: the client's when it sent a usable one, else a new UUIDv7
// (time-ordered, so ids sort by arrival and carry their own time). Pure: time and random bytes are arguments.

/** A UUIDv7 (RFC 9562) from a millisecond time and at least 10 random bytes. */
export function uuidv7(nowMs: number, random: Uint8Array): string {
  const b = new Uint8Array(16);
  let t = Math.floor(nowMs);
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  b.set(random.subarray(0, 10), 6);
  b[6] = 0x70 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const hex = Buffer.from(b).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The millisecond time a UUIDv7 carries, or undefined for any other id. */
export function uuidv7Time(id: string): number | undefined {
  if (!UUIDV7.test(id)) return undefined;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** Ids are kept when they are 1-200 visible ASCII characters (they end up in file lines and metrics joins). */
export function usableRequestId(value: string | readonly string[] | undefined): string | undefined {
  const v: string | undefined = typeof value === 'string' ? value : value?.[0];
  return typeof v === 'string' && v.length > 0 && v.length <= 200 && /^[\x21-\x7e]+$/.test(v) ? v : undefined;
}
