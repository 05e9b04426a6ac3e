// https:// (and http:// for local servers when asked): one object, redirects followed up to a bound and
// never from https to http, the size cap checked against Content-Length and again while reading.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { OpenedBody } from './download.ts';
import { FetchFailure } from './failure.ts';

const MAX_REDIRECTS = 5;

export function openHttps(uri: string): () => Promise<OpenedBody> {
  return async () => {
    let url = new URL(uri);
    for (let hop = 0; ; hop++) {
      const response = await fetch(url, { redirect: 'manual', headers: { 'accept-encoding': 'identity' } });
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        await response.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw new FetchFailure('Unavailable', `${uri}: more than ${MAX_REDIRECTS} redirects`);
        const next = new URL(response.headers.get('location')!, url);
        if (url.protocol === 'https:' && next.protocol !== 'https:') throw new FetchFailure('Unavailable', `${uri}: refused a redirect from https to ${next.protocol}`);
        url = next;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        // Classified by status (failure.ts) like an S3 error.
        throw Object.assign(new Error(`HTTP ${response.status}`), { $metadata: { httpStatusCode: response.status } });
      }
      if (response.body === null) throw new FetchFailure('Unavailable', `${uri}: the response has no body`, true);
      const length = response.headers.get('content-length');
      const size = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
      return { body: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), size };
    }
  };
}
