// The operator's one door to the API server: authenticated through a ClusterConnection, rate-limited,
// counted for metrics. Plain JSON over undici's request() keeps list, watch, apply and status patches explicit.
import { STATUS_CODES } from 'node:http';
import { request as send, type Dispatcher } from 'undici';
import { ApiError, type StatusCause } from './api-error.ts';
import type { ClusterConnection } from './cluster-connection.ts';
import { resourcePath, type ObjectRef } from './resource-paths.ts';
import { RequestThrottle, type RequestPriority } from './request-throttle.ts';
import { MAX_RETRY_AFTER_RETRIES, retryAfterMs } from './retry-after.ts';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
    managedFields?: ManagedFieldsEntry[];
    deletionTimestamp?: string | Date;
  };
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  subresource?: string;
  fieldsV1?: unknown;
}

export interface ListResult<T> {
  readonly items: T[];
  readonly resourceVersion: string;
}

export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

export interface ApiClientOptions {
  readonly qps: number;
  readonly burst: number;
  readonly userAgent?: string;
  /** Called after every response, for rest_client_requests_total. */
  readonly onResponse?: (method: string, code: number, seconds: number, path: string) => void;
}

type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly priority?: RequestPriority;
  /** Cancels the request (and any wait for a retry); the 60 s deadline applies as well. */
  readonly signal?: AbortSignal;
}

/** A request with no answer after this long is given up (client-go's default is none; ours, a minute). */
const REQUEST_TIMEOUT_MS = 60_000;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export class ApiClient {
  /** Its one connection pool serves every request (a pool per request meant a TLS handshake per request). */
  private readonly connection: ClusterConnection;
  private readonly throttle: RequestThrottle;
  private readonly options: ApiClientOptions;

  constructor(connection: ClusterConnection, options: ApiClientOptions) {
    this.connection = connection;
    this.options = options;
    this.throttle = new RequestThrottle({ qps: options.qps, burst: options.burst });
  }

  private async prepare(path: string, query: Query, refresh: boolean): Promise<{ url: URL; headers: Record<string, string>; dispatcher: Dispatcher | undefined }> {
    const url = new URL(this.connection.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const auth = await this.connection.authenticate({ refresh });
    return { url, headers: { ...auth.headers, 'user-agent': this.options.userAgent ?? 'modelship', accept: 'application/json' }, dispatcher: auth.dispatcher };
  }

  /**
   * Sends the request, as client-go's rest client does: a 401 re-reads the credentials (token file,
   * exec plugin) and sends once more; a 429 or 5xx with Retry-After waits as told (bounded) and sends
   * again, up to MAX_RETRY_AFTER_RETRIES times.
   */
  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    let refreshed = false;
    let refreshNow = false;
    let waits = 0;
    for (;;) {
      await this.throttle.take(options.priority);
      options.signal?.throwIfAborted();
      const { status, retryAfter, text } = await this.send(method, path, options, refreshNow);
      refreshNow = false;
      if (status >= 200 && status < 300) return (text ? JSON.parse(text) : {}) as T;
      if (status === 401 && !refreshed) {
        refreshed = refreshNow = true;
        continue;
      }
      const wait = waits < MAX_RETRY_AFTER_RETRIES ? retryAfterMs(status, retryAfter) : undefined;
      if (wait === undefined) throw apiError(method, path, status, text);
      waits++;
      await abortableSleep(wait, options.signal);
    }
  }

  /**
   * One exchange through undici's request(), not fetch(): the same connection pool, without the WHATWG
   * streams and Response objects fetch builds around every answer (converging 300 models, fetch's code
   * and the web streams took 8% of the operator's CPU in their own functions, 12% with what they called).
   */
  private async send(method: HttpMethod, path: string, options: RequestOptions, refresh: boolean): Promise<{ status: number; retryAfter: string | null; text: string }> {
    const { url, headers, dispatcher } = await this.prepare(path, options.query ?? {}, refresh);
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const started = performance.now();
    let status = 0;
    try {
      const res = await send(url, {
        method,
        headers,
        ...(dispatcher ? { dispatcher } : {}),
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
      });
      status = res.statusCode;
      return { status, retryAfter: header(res.headers, 'retry-after'), text: await res.body.text() };
    } finally {
      this.options.onResponse?.(method, status, (performance.now() - started) / 1000, path);
    }
  }

  async get<T extends KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', resourcePath(ref));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * Lists every page; items carry apiVersion and kind (lists omit them). With a resourceVersion ("0", or
   * one seen before) the API server answers from its watch cache, not etcd, and in one page (client-go's
   * reflector lists so); without one, the list is consistent, read from etcd in pages of `limit`.
   */
  async list<T extends KubeObject>(ref: ObjectRef, query: { labelSelector?: string; limit?: number; resourceVersion?: string; signal?: AbortSignal } = {}): Promise<ListResult<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion: string;
    const fromCache = query.resourceVersion !== undefined && query.resourceVersion !== '';
    do {
      const page = await this.request<{ items: T[]; metadata: { resourceVersion: string; continue?: string } }>(
        'GET',
        resourcePath(ref),
        {
          query: fromCache
            ? { labelSelector: query.labelSelector, resourceVersion: query.resourceVersion }
            : { labelSelector: query.labelSelector, limit: query.limit ?? 500, continue: cont },
          ...(query.signal ? { signal: query.signal } : {}),
        },
      );
      for (const item of page.items) items.push({ ...item, apiVersion: ref.apiVersion, kind: ref.kind });
      resourceVersion = page.metadata.resourceVersion;
      cont = page.metadata.continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  /**
   * Streams watch events until the server ends the watch, the signal aborts it, or the connection fails.
   * Resolves normally on a clean end; rejects on a failed connection or a non-200 answer.
   */
  async watch<T extends KubeObject>(
    ref: ObjectRef,
    /**
     * `sendInitialEvents`: a streaming list (KEP-3157): the objects as ADDED events, not older than
     * `resourceVersion` ("" the newest), then a BOOKMARK annotated k8s.io/initial-events-end, then the watch.
     */
    query: { resourceVersion: string; labelSelector?: string; fieldSelector?: string; timeoutSeconds: number; sendInitialEvents?: boolean },
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
    /** Called when the server accepted the watch (200), before any event. */
    onOpen?: () => void,
  ): Promise<void> {
    const watchQuery = {
      watch: true,
      allowWatchBookmarks: true,
      resourceVersion: query.resourceVersion,
      labelSelector: query.labelSelector,
      fieldSelector: query.fieldSelector,
      timeoutSeconds: query.timeoutSeconds,
      ...(query.sendInitialEvents ? { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' } : {}),
    };
    let res: Dispatcher.ResponseData | undefined;
    // A 401 re-reads the credentials and watches once more, as request() does.
    for (const refresh of [false, true]) {
      await this.throttle.take();
      signal.throwIfAborted();
      const { url, headers, dispatcher } = await this.prepare(resourcePath(ref), watchQuery, refresh);
      res = await send(url, { method: 'GET', headers, ...(dispatcher ? { dispatcher } : {}), signal });
      this.options.onResponse?.('WATCH', res.statusCode, 0, resourcePath(ref));
      if (res.statusCode !== 401) break;
      res.body.destroy();
    }
    if (!res || res.statusCode !== 200) {
      const text = (await res?.body.text().catch(() => '')) ?? '';
      throw apiError('WATCH', resourcePath(ref), res?.statusCode ?? 0, text);
    }
    onOpen?.();
    try {
      await readLines(res.body, signal, (line) => {
        const event = JSON.parse(line) as WatchEvent<T>;
        if (event.type !== 'ERROR' && event.type !== 'BOOKMARK') {
          event.object.apiVersion ??= ref.apiVersion;
          event.object.kind ??= ref.kind;
        }
        onEvent(event);
      });
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
  }

  /** Server-side apply with the operator's field manager; force takes over fields others changed. */
  async apply<T extends KubeObject>(obj: KubeObject & { apiVersion: string; kind: string }, fieldManager: string): Promise<T> {
    const ref = { apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata?.namespace, name: obj.metadata?.name };
    return this.request<T>('PATCH', resourcePath(ref), {
      query: { fieldManager, force: true },
      body: obj,
      contentType: 'application/apply-patch+yaml',
    });
  }

  /** `priority: 'low'` for status writes: under load they yield to the requests that change the cluster. */
  async mergePatch<T extends KubeObject>(ref: ObjectRef, patch: unknown, options: { priority?: RequestPriority } = {}): Promise<T> {
    return this.request<T>('PATCH', resourcePath(ref), { body: patch, contentType: 'application/merge-patch+json', ...options });
  }

  async create<T extends KubeObject>(ref: ObjectRef, body: unknown): Promise<T> {
    return this.request<T>('POST', resourcePath(ref), { body });
  }

  /** Deletes only the object with this uid (a precondition), so a re-created namesake survives. */
  async delete(ref: ObjectRef, uid?: string): Promise<void> {
    try {
      await this.request('DELETE', resourcePath(ref), {
        body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) },
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return;
      throw err;
    }
  }
}

/** An ApiError with the reason, message and causes of the Status the server answered with, if it sent one. */
function apiError(method: string, path: string, status: number, text: string): ApiError {
  let reason = STATUS_CODES[status] ?? '';
  let message = text;
  let causes: StatusCause[] = [];
  try {
    const st = JSON.parse(text) as { reason?: string; message?: string; details?: { causes?: unknown } };
    reason = st.reason ?? reason;
    message = st.message ?? message;
    if (Array.isArray(st.details?.causes)) causes = st.details.causes.filter((c: unknown): c is StatusCause => typeof c === 'object' && c !== null);
  } catch {
    /* not a Status object */
  }
  return new ApiError(method, path, status, reason, message, causes);
}

/** Watch streams separate events by '\n' (a '\r' before it is allowed); no line of JSON is shorter than 2. */
function blank(line: string): boolean {
  return line.length === 0 || (line.length < 3 && line.trim() === '');
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const v = headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? null;
}

/**
 * Calls `onLine` for each non-empty line of a streamed body, from 'data' events (an async iterator or
 * readline costs a promise or more per chunk); resolves at its end, rejects on its error or when
 * `onLine` throws (the body is then destroyed, which ends the exchange).
 */
function readLines(body: Dispatcher.ResponseData['body'], signal: AbortSignal, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let rest = '';
    const fail = (err: unknown): void => {
      body.destroy();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const onAbort = (): void => fail(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    body.setEncoding('utf8');
    body.on('data', (chunk: string) => {
      let start = 0;
      let end = chunk.indexOf('\n');
      try {
        while (end !== -1) {
          const line = rest + chunk.slice(start, end);
          rest = '';
          if (!blank(line)) onLine(line);
          start = end + 1;
          end = chunk.indexOf('\n', start);
        }
      } catch (err) {
        signal.removeEventListener('abort', onAbort);
        fail(err);
        return;
      }
      rest += chunk.slice(start);
    });
    body.on('end', () => {
      signal.removeEventListener('abort', onAbort);
      try {
        if (!blank(rest)) onLine(rest);
        resolve();
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    body.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

/** A pause that the signal cuts short (with its reason). */
function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
