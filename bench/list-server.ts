// `node bench/list-server.ts <lists.json> [--refuse-streaming]`: serves the lists of `bench/cache-heap.ts
// --dump-lists` on 127.0.0.1 as the API server's watch cache would, in a process of its own (so the
// reader's RSS is only its own), for bench/informer-rss.ts. Per kind (by path): a LIST answers the whole
// list in one answer; a watch with sendInitialEvents=true streams the items as ADDED events, then the
// initial-events-end bookmark, and stays open (so does a plain watch, with nothing to send). With
// --refuse-streaming, sendInitialEvents is answered 400, as a server without streaming lists does.
// Prints the port on stdout.
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resourcePath } from '../src/kube/resource-paths.ts';

const argv = process.argv.slice(2);
const file = argv.find((a) => !a.startsWith('--'));
if (!file) throw new Error('usage: node bench/list-server.ts <lists.json> [--refuse-streaming]');
const refuseStreaming = argv.includes('--refuse-streaming');

interface KindList {
  readonly text: string;
  readonly lines: string[];
  readonly resourceVersion: string;
}
const byPath = new Map<string, KindList>();
for (const text of JSON.parse(readFileSync(file, 'utf8')) as string[]) {
  const list = JSON.parse(text) as { metadata: { resourceVersion: string }; items: { apiVersion: string; kind: string }[] };
  const first = list.items[0];
  if (!first) continue;
  const lines = list.items.map((item) => `${JSON.stringify({ type: 'ADDED', object: item })}\n`);
  byPath.set(resourcePath({ apiVersion: first.apiVersion, kind: first.kind }), { text, lines, resourceVersion: list.metadata.resourceVersion });
}

/** Writes the lines with backpressure, as the API server's watch does. */
async function stream(res: ServerResponse, lines: readonly string[]): Promise<void> {
  for (const line of lines) {
    if (res.destroyed) return;
    if (!res.write(line)) await new Promise((resolve) => res.once('drain', resolve));
  }
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const list = byPath.get(url.pathname);
  res.setHeader('content-type', 'application/json');
  if (!list) {
    res.statusCode = 404;
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
    return;
  }
  if (url.searchParams.get('watch') !== 'true') {
    res.end(list.text);
    return;
  }
  const initial = url.searchParams.get('sendInitialEvents') === 'true';
  if (initial && refuseStreaming) {
    res.statusCode = 400;
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400, message: 'sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled' }));
    return;
  }
  res.flushHeaders();
  if (!initial) return; // a plain watch: stays open with nothing to say
  const end = { type: 'BOOKMARK', object: { kind: 'Bookmark', metadata: { resourceVersion: list.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } } } };
  void stream(res, list.lines).then(() => res.write(`${JSON.stringify(end)}\n`));
});
server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
