// The operator's one door to the API server: authenticated through a ClusterConnection, rate-limited,
// counted for metrics. Plain JSON over fetch keeps list, watch, apply and status patches explicit.
import { fetch, type Dispatcher } from 'undici';
import { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { ApiError } from './api-error.ts';
import type { ClusterConnection } from './cluster-connection.ts';
import { resourcePath, type ObjectRef } from './resource-paths.ts';
import { RequestThrottle, type RequestPriority } from './request-throttle.ts';

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

  private async prepare(_method: HttpMethod, path: string, query: Query = {}): Promise<{ url: URL; headers: Record<string, string>; dispatcher: Dispatcher | undefined }> {
    const url = new URL(this.connection.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const auth = await this.connection.authenticate();
    return { url, headers: { ...auth.headers, 'user-agent': this.options.userAgent ?? 'modelship', accept: 'application/json' }, dispatcher: auth.dispatcher };
  }

  /** `signal` cancels the request (e.g. a Lease renewal past its deadline), on top of the 60 s timeout. */
  async request<T>(
    method: HttpMethod,
    path: string,
    options: { query?: Query; body?: unknown; contentType?: string; priority?: RequestPriority; signal?: AbortSignal } = {},
  ): Promise<T> {
    await this.throttle.take(options.priority);
    const { url, headers, dispatcher } = await this.prepare(method, path, options.query);
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const started = performance.now();
    let status = 0;
    try {
      const res = await fetch(url, {
        method,
        headers,
        dispatcher,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(60_000)]) : AbortSignal.timeout(60_000),
      });
      status = res.status;
      const text = await res.text();
      if (!res.ok) {
        let reason = res.statusText;
        let message = text;
        try {
          const st = JSON.parse(text) as { reason?: string; message?: string };
          reason = st.reason ?? reason;
          message = st.message ?? message;
        } catch {
          /* not a Status object */
        }
        throw new ApiError(method, path, res.status, reason, message);
      }
      return (text ? JSON.parse(text) : {}) as T;
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

  /** Lists every page; items carry apiVersion and kind (lists omit them). */
  async list<T extends KubeObject>(ref: ObjectRef, query: { labelSelector?: string; limit?: number } = {}): Promise<ListResult<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion: string;
    do {
      const page = await this.request<{ items: T[]; metadata: { resourceVersion: string; continue?: string } }>(
        'GET',
        resourcePath(ref),
        { query: { labelSelector: query.labelSelector, limit: query.limit ?? 500, continue: cont } },
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
    query: { resourceVersion: string; labelSelector?: string; fieldSelector?: string; timeoutSeconds: number },
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<void> {
    await this.throttle.take();
    const { url, headers, dispatcher } = await this.prepare('GET', resourcePath(ref), {
      watch: true,
      allowWatchBookmarks: true,
      resourceVersion: query.resourceVersion,
      labelSelector: query.labelSelector,
      fieldSelector: query.fieldSelector,
      timeoutSeconds: query.timeoutSeconds,
    });
    const res = await fetch(url, { method: 'GET', headers, dispatcher, signal });
    this.options.onResponse?.('WATCH', res.status, 0, resourcePath(ref));
    if (res.status !== 200 || !res.body) {
      const text = await res.text().catch(() => '');
      throw new ApiError('WATCH', resourcePath(ref), res.status, res.statusText, text);
    }
    const lines = createInterface({ input: Readable.fromWeb(res.body), crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (!line) continue;
        const event = JSON.parse(line) as WatchEvent<T>;
        if (event.type !== 'ERROR' && event.type !== 'BOOKMARK') {
          event.object.apiVersion ??= ref.apiVersion;
          event.object.kind ??= ref.kind;
        }
        onEvent(event);
      }
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
