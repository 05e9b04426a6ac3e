// `modelship agent ...`: the inference agent, a container beside the model server in serving pods. It
// proxies the serving port to the server (HTTP/1.1 streamed, HTTP/2 cleartext piped raw), exports request
// metrics with the server's own appended, logs sampled request/response pairs to object storage and joins
// ground-truth labels to them. The contract: README "Inference agent".
import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { AGENT_USAGE, parseAgentArgs } from './args.ts';
import { FeedbackJoin } from './feedback.ts';
import { frontDoor } from './front-door.ts';
import { predictionsOf } from './labels.ts';
import { LogBuffer } from './log-buffer.ts';
import { logRecord, type Exchange } from './log-record.ts';
import { LogShipper } from './log-shipper.ts';
import { s3Settings, type S3Settings } from '../fetcher/s3-settings.ts';
import type { S3Client } from '@aws-sdk/client-s3';
import type * as StoreModules from './store-modules.ts';
import { createAgentMetrics } from './metrics.ts';
import { PredictionCounter } from './prediction-counter.ts';
import { predictionValuesOfBytes } from './prediction-values.ts';
import { proxyHandler } from './proxy.ts';
import { RecordIndex } from './record-index.ts';
import { sampler } from './sampler.ts';
import { joinExpositions, scrapeUpstream } from './upstream-metrics.ts';
import { http as nodeHttp } from '../node-http.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);
const SHUTDOWN_FLUSH_MS = 20_000;
const MAX_FEEDBACK_BYTES = 16 * 1024 * 1024;
const INDEX_ENTRIES = 100_000;

function json(res: ServerResponse, status: number, body: unknown, requestId?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(requestId !== undefined ? { 'x-request-id': requestId } : {}) });
  res.end(text);
}

async function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    bytes += c.length;
    if (bytes > max) throw new Error('too large');
    chunks.push(c);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

interface OpenStore {
  readonly modules: typeof StoreModules;
  readonly client: S3Client;
}

/** Object storage, imported and connected on the first `open()`; the later calls share it. */
function lazyStore(settings: S3Settings): { open(): Promise<OpenStore>; close(): Promise<void> } {
  let store: Promise<OpenStore> | undefined;
  return {
    open: () => (store ??= import('./store-modules.ts').then((modules) => ({ modules, client: modules.s3Client(settings) }))),
    close: async () => {
      if (store !== undefined) (await store).client.destroy();
    },
  };
}

export async function runAgent(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    // Loads the lazily imported modules too: the image warms its compile cache with `agent --help`, and a
    // .ts file missing from the cache brings in Node's TypeScript stripper (about 25 MiB) at run time.
    await import('./store-modules.ts');
    await import('./feedback-body.ts');
    await import('./labels-file.ts');
    process.stdout.write(AGENT_USAGE);
    return 0;
  }
  const parsed = parseAgentArgs(argv, env);
  if (!parsed.ok) {
    log(`modelship-agent: InvalidArguments: ${parsed.error}`);
    log(AGENT_USAGE);
    return 2;
  }
  const plan = parsed.plan;
  const id = plan.identity;
  const buffer = new LogBuffer(plan.bufferBytes);
  const metrics = createAgentMetrics(() => buffer.records);
  const index = new RecordIndex(INDEX_ENTRIES);
  const redactFields = new Set(plan.redact);
  // Request logging: where, and object storage opened on first use (store-modules.ts says why); its
  // settings are read now, so a bad environment fails at start.
  const logging = plan.log !== undefined ? { at: plan.log, store: lazyStore(s3Settings(env)) } : undefined;
  const shipper: LogShipper | undefined =
    logging !== undefined
      ? new LogShipper({
          put: async (key, body) => {
            const { modules, client } = await logging.store.open();
            await modules.putLogFile(client, logging.at.bucket, key, body);
          },
          bucket: logging.at.bucket,
          base: logging.at.key,
          identity: id,
          buffer,
          flushBytes: plan.flushBytes,
          flushIntervalMs: plan.flushIntervalMs,
          onFlush: (result, records) => {
            metrics.logFlushes.inc({ result });
            if (records > 0) metrics.logRecords.inc({ outcome: 'written' }, records);
          },
          onGiveUp: (records) => metrics.logRecords.inc({ outcome: 'dropped' }, records),
          log,
        })
      : undefined;
  const scan =
    logging !== undefined
      ? async (wanted: ReadonlySet<string>) => {
          const { modules, client } = await logging.store.open();
          return modules.scanForRequests({ client, bucket: logging.at.bucket, base: logging.at.key, namespace: id.namespace, model: id.model, lookbackMs: plan.labelLookbackMs }, wanted);
        }
      : undefined;
  const join = new FeedbackJoin(index, scan, metrics, plan.flushIntervalMs);

  const onExchange = (ex: Exchange) => {
    // Off the response path: the record is built after the response ended and never awaited.
    const record = logRecord(id, ex, redactFields);
    if (!buffer.add(JSON.stringify(record), ex.startMs)) {
      metrics.logRecords.inc({ outcome: 'dropped' });
      return;
    }
    const predictions = predictionsOf(record.response);
    if (predictions !== undefined) index.set(ex.requestId, { variant: id.variant, revision: id.revision, version: id.version, predictions });
  };

  const ownRoutes = (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/modelship/v1/feedback' && path !== '/modelship/v1/feedback/files') return json(res, 404, { error: 'not found' }, requestId);
    if (req.method !== 'POST') return json(res, 405, { error: 'POST only' }, requestId);
    if (path === '/modelship/v1/feedback/files') {
      readJson(req, 64 * 1024)
        .then(async (body) => {
          const files = await import('./labels-file.ts');
          const target = files.labelsFileTarget(body, logging?.at);
          if (!target.ok) return json(res, target.status, { error: target.error }, requestId);
          if (logging === undefined) throw new Error('unreachable: labelsFileTarget refuses when nothing is logged');
          const marker = files.countedMarker(logging.at, target.location);
          const { modules, client } = await logging.store.open();
          const reply = await modules.joinLabelsFile(client, target.location, marker, plan.identity.pod, (items) => join.submit(items));
          json(res, reply.status, reply.body, requestId);
        })
        .catch(() => json(res, 400, { error: 'expected {"uri":"s3://bucket/key"} as JSON' }, requestId));
      return;
    }
    readJson(req, MAX_FEEDBACK_BYTES)
      .then(async (body) => {
        const items = (await import('./feedback-body.ts')).parseFeedback(body);
        if (!items.ok) return json(res, 400, { error: items.error }, requestId);
        json(res, 202, await join.submit(items.items), requestId);
      })
      .catch(() => json(res, 400, { error: 'the body must be JSON of at most 16 MiB' }, requestId));
  };

  const predictionCounter = new PredictionCounter(metrics.predictions, metrics.predictionValues);
  const onPredictions = (body: Buffer, truncated: boolean) => {
    // On the response path's end: a body it cannot count is skipped, never an error for the request.
    try {
      const p = predictionValuesOfBytes(body, truncated);
      if (p !== undefined) predictionCounter.count(p);
    } catch {
      // Nothing to count.
    }
  };

  const { handle, agent } = proxyHandler({
    upstream: plan.upstream,
    metrics,
    sample: plan.log !== undefined ? sampler(plan.sampleRate) : undefined,
    maxBodyBytes: plan.maxBodyBytes,
    onExchange,
    onPredictions,
    ownRoutes,
  });
  const server = nodeHttp.createServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000, requestTimeout: 0 }, handle);
  const door = frontDoor(server, { host: plan.upstream.hostname, port: Number(plan.upstream.port || 80) }, {
    connection: () => metrics.h2cConnections.inc(),
    streams: (n) => metrics.h2cStreams.inc(n),
  });

  const metricsServer = nodeHttp.createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics') return json(res, 404, { error: 'not found' });
    const send = (text: string) => {
      res.writeHead(200, { 'content-type': metrics.registry.contentType, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    void (async () => {
      let upstream: string | undefined;
      if (plan.upstreamMetrics !== undefined) {
        try {
          upstream = await scrapeUpstream(plan.upstreamMetrics);
        } catch {
          metrics.upstreamScrapeErrors.inc();
        }
      }
      send(joinExpositions(await metrics.registry.metrics(), upstream));
    })().catch(() => res.destroy());
  });

  door.listen(plan.port, plan.host);
  metricsServer.listen(plan.metricsPort, plan.host);
  await Promise.all([once(door, 'listening'), once(metricsServer, 'listening')]);
  shipper?.start();
  log(`modelship-agent: serving :${plan.port} -> ${plan.upstream.origin}, metrics :${plan.metricsPort}, ${plan.log !== undefined ? `logging ${plan.sampleRate} of requests to s3://${plan.log.bucket}/${plan.log.key}` : 'no logging'}`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log(`modelship-agent: ${signal}: flushing ${buffer.records} records`);
  door.close();
  server.closeIdleConnections();
  join.stop();
  await shipper?.stop(Date.now() + SHUTDOWN_FLUSH_MS);
  log(`modelship-agent: stopped, ${buffer.records} records not written`);
  metricsServer.close();
  server.closeAllConnections();
  agent.destroy();
  await logging?.store.close();
  return 0;
}
