// I/O: resolves the models:/ URIs of ModelDeployments in the platform's model registries, outside the
// reconcile workers. A reconcile asks `current(key, uri, registry)`: the key then uses the entry of that
// (registry, URI), shared by every ModelDeployment naming it (src/registry/subscriptions.ts); the first
// key starts polling the entry (now, then every poll interval), and each answer that changes what is
// known brings all its keys back to the queue. An entry whose last key left stops. A failed ask keeps
// the last resolution (the version keeps serving) and carries the failure.
// Every request goes through the hardened outbound client; credentials come from Secrets in the
// operator's own namespace, named by the platform's registries file, never by a ModelDeployment. They
// are read once per poll interval at most per registry, and again after a 401 or 403 answer.
import type { Logger } from 'pino';
import type { ApiClient, KubeObject } from '../kube/api-client.ts';
import { createOutboundClient, describeOutboundFailure, toOutboundError, type Cidr, type OutboundClient } from '../outbound/index.ts';
import {
  chooseRegistry,
  downloadUriRequestUrl,
  parseDownloadUriAnswer,
  parseRegistryUri,
  parseResolveAnswer,
  resolveRequestUrl,
  type ModelRegistry,
  type Resolution,
  type ResolutionFailure,
} from './mlflow.ts';
import { Subscriptions } from './subscriptions.ts';

export const DEFAULT_REGISTRY_POLL_MS = 60_000;
export const MIN_REGISTRY_POLL_MS = 10_000;
const MAX_ANSWER_BYTES = 256 * 1024;
const REQUEST_TIMEOUT_MS = 10_000;

export interface RegistrySettings {
  readonly registries: readonly ModelRegistry[];
  /** Where the registries' Secrets are: the operator's own namespace. */
  readonly namespace: string;
  readonly pollIntervalMs: number;
}

export const noRegistries = (namespace: string): RegistrySettings => ({ registries: [], namespace, pollIntervalMs: DEFAULT_REGISTRY_POLL_MS });

export interface RegistryFailure {
  readonly reason: ResolutionFailure;
  readonly message: string;
}

export interface RegistryState {
  /** The last resolution of this URI, kept through failures. */
  readonly resolution?: Resolution;
  /** The last ask failed: why. */
  readonly failure?: RegistryFailure;
}

interface Entry {
  readonly id: string;
  readonly uri: string;
  readonly registry: string | undefined;
  state: RegistryState | undefined;
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
}

/** A registry's authorization headers, read from its Secret, good until `until` (performance.now()). */
interface CachedCredentials {
  readonly headers: Promise<Record<string, string>>;
  readonly until: number;
}

export interface RegistryResolverOptions {
  readonly settings: RegistrySettings;
  readonly client: ApiClient;
  readonly allowCidrs: readonly Cidr[];
  readonly requeue: (key: string) => void;
  readonly log: Logger;
  readonly now: () => Date;
}

type SecretObject = KubeObject & { data?: Record<string, string> };

/** PURE: the state after an answer; the resolvedAt of an unchanged resolution is kept. */
export function nextState(previous: RegistryState | undefined, answer: { ok: true; resolution: Resolution } | { ok: false; failure: RegistryFailure }): RegistryState {
  if (!answer.ok) return { ...(previous?.resolution ? { resolution: previous.resolution } : {}), failure: answer.failure };
  const prev = previous?.resolution;
  const same = prev !== undefined && prev.version === answer.resolution.version && prev.source === answer.resolution.source && prev.registry === answer.resolution.registry;
  return { resolution: same ? prev : answer.resolution };
}

const sameState = (a: RegistryState | undefined, b: RegistryState): boolean =>
  a !== undefined && a.resolution === b.resolution && a.failure?.reason === b.failure?.reason && a.failure?.message === b.failure?.message;

export class RegistryResolver {
  private readonly entries = new Map<string, Entry>();
  private readonly subscriptions = new Subscriptions();
  private readonly clients = new Map<string, OutboundClient>();
  private readonly cachedCredentials = new Map<string, CachedCredentials>();
  private stopped = false;
  private readonly options: RegistryResolverOptions;

  constructor(options: RegistryResolverOptions) {
    this.options = options;
  }

  /** What is known of the key's URI; undefined while its entry's first ask is under way. The key uses that entry now. */
  current(key: string, uri: string, registry: string | undefined): RegistryState | undefined {
    const id = this.entryId(uri, registry);
    const change = this.subscriptions.use(key, id);
    if (change.stopped !== undefined) this.stopEntry(change.stopped);
    let entry = this.entries.get(id);
    if (entry === undefined) {
      entry = { id, uri, registry, state: undefined, timer: undefined, stopped: false };
      this.entries.set(id, entry);
      this.schedule(entry, 0);
    }
    return entry.state;
  }

  /** The key is gone, or its URI is no longer a registry's: it leaves its entry, stopped when it was the last key. */
  forget(key: string): void {
    const change = this.subscriptions.drop(key);
    if (change.stopped !== undefined) this.stopEntry(change.stopped);
  }

  /** The (registry, URI) entries polled now: one per registry and URI, however many keys use it. */
  polled(): { uri: string; registry: string | undefined; keys: string[] }[] {
    return [...this.entries.values()].map((e) => ({ uri: e.uri, registry: e.registry, keys: this.subscriptions.keysOf(e.id) }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const id of [...this.entries.keys()]) this.stopEntry(id);
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    this.clients.clear();
    this.cachedCredentials.clear();
  }

  /** The entry of a URI: the default registry and the same registry named are one entry. */
  private entryId(uri: string, registry: string | undefined): string {
    const chosen = chooseRegistry(registry, this.options.settings.registries);
    return JSON.stringify([chosen.ok ? chosen.registry.name : { unknown: registry ?? null }, uri]);
  }

  private stopEntry(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    entry.stopped = true;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.entries.delete(id);
  }

  private schedule(entry: Entry, delayMs: number): void {
    if (this.stopped || entry.stopped) return;
    entry.timer = setTimeout(() => {
      void this.poll(entry);
    }, delayMs);
    entry.timer.unref();
  }

  private async poll(entry: Entry): Promise<void> {
    let answer: { ok: true; resolution: Resolution } | { ok: false; failure: RegistryFailure };
    try {
      answer = await this.ask(entry.uri, entry.registry);
    } catch (err) {
      answer = { ok: false, failure: { reason: 'RegistryUnavailable', message: err instanceof Error ? err.message : String(err) } };
    }
    if (this.stopped || entry.stopped) return;
    const next = nextState(entry.state, answer);
    const changed = !sameState(entry.state, next);
    entry.state = next;
    if (changed) for (const key of this.subscriptions.keysOf(entry.id)) this.options.requeue(key);
    this.schedule(entry, this.options.settings.pollIntervalMs);
  }

  private async ask(uri: string, registryName: string | undefined): Promise<{ ok: true; resolution: Resolution } | { ok: false; failure: RegistryFailure }> {
    const { settings, log, now } = this.options;
    const chosen = chooseRegistry(registryName, settings.registries);
    if (!chosen.ok) return { ok: false, failure: { reason: 'UnknownModelRegistry', message: chosen.message } };
    const ref = parseRegistryUri(uri);
    if (ref === undefined) return { ok: false, failure: { reason: 'ModelVersionNotFound', message: `${uri} is not models:/<name>@<alias> or models:/<name>/<version>` } };
    const registry = chosen.registry;
    let headers: Record<string, string>;
    try {
      headers = await this.credentials(registry);
    } catch (err) {
      log.warn({ registry: registry.name, namespace: settings.namespace, reason: err instanceof Error ? err.message : String(err) }, 'model registry credentials cannot be read');
      return { ok: false, failure: { reason: 'RegistryUnavailable', message: `the model registry ${registry.name} cannot be used: its credentials cannot be read; ask the platform team` } };
    }
    let status: number;
    let body: string;
    try {
      const res = await this.client(registry).send(resolveRequestUrl(registry.address, ref), { method: 'GET', headers: { accept: 'application/json', ...headers }, maxBytes: MAX_ANSWER_BYTES, timeoutMs: REQUEST_TIMEOUT_MS });
      status = res.status;
      body = res.body;
      if (status === 401 || status === 403) this.dropCredentials(registry.name); // rotated: read the Secret again next time
    } catch (err) {
      return { ok: false, failure: { reason: 'RegistryUnavailable', message: `the model registry ${registry.name} cannot be reached: ${describeOutboundFailure(toOutboundError(err, REQUEST_TIMEOUT_MS).failure)}` } };
    }
    let parsed = parseResolveAnswer(ref, status, body);
    if (!parsed.ok && parsed.askDownloadUri !== undefined) {
      // A source that is not fetchable as it is (MLflow 3's models:/m-<id>): its artifact location may be.
      const { version, source } = parsed.askDownloadUri;
      try {
        const res = await this.client(registry).send(downloadUriRequestUrl(registry.address, ref.name, version), { method: 'GET', headers: { accept: 'application/json', ...headers }, maxBytes: MAX_ANSWER_BYTES, timeoutMs: REQUEST_TIMEOUT_MS });
        if (res.status === 401 || res.status === 403) this.dropCredentials(registry.name);
        parsed = parseDownloadUriAnswer(ref.name, version, source, res.status, res.body);
      } catch (err) {
        return { ok: false, failure: { reason: 'RegistryUnavailable', message: `the model registry ${registry.name} cannot be reached: ${describeOutboundFailure(toOutboundError(err, REQUEST_TIMEOUT_MS).failure)}` } };
      }
    }
    if (!parsed.ok) return { ok: false, failure: { reason: parsed.reason, message: `${uri} in registry ${registry.name}: ${parsed.message}` } };
    return { ok: true, resolution: { uri, registry: registry.name, version: parsed.version, source: parsed.source, resolvedAt: now().toISOString().replace(/\.\d{3}Z$/, 'Z') } };
  }

  private client(registry: ModelRegistry): OutboundClient {
    let c = this.clients.get(registry.name);
    if (c === undefined) {
      c = createOutboundClient({ allowCidrs: this.options.allowCidrs });
      this.clients.set(registry.name, c);
    }
    return c;
  }

  /** The registry's headers, read from its Secret at most once per poll interval, shared by all its entries. */
  private credentials(registry: ModelRegistry): Promise<Record<string, string>> {
    const nowMs = performance.now(); // the real, monotonic clock, whatever clock status times come from
    const cached = this.cachedCredentials.get(registry.name);
    if (cached !== undefined && nowMs < cached.until) return cached.headers;
    const headers = this.readCredentials(registry);
    const entry = { headers, until: nowMs + this.options.settings.pollIntervalMs };
    this.cachedCredentials.set(registry.name, entry);
    // A failed read is not kept: the next ask reads again.
    headers.catch(() => {
      if (this.cachedCredentials.get(registry.name) === entry) this.cachedCredentials.delete(registry.name);
    });
    return headers;
  }

  private dropCredentials(registry: string): void {
    this.cachedCredentials.delete(registry);
  }

  private async readCredentials(registry: ModelRegistry): Promise<Record<string, string>> {
    const { client, settings } = this.options;
    const read = async (name: string, key: string): Promise<string> => {
      const secret = await client.get<SecretObject>({ apiVersion: 'v1', kind: 'Secret', namespace: settings.namespace, name });
      const value = secret?.data?.[key];
      if (value === undefined) throw new Error(`Secret ${name} key ${key} was not found in namespace ${settings.namespace}`);
      return Buffer.from(value, 'base64').toString('utf8');
    };
    if (registry.bearerTokenSecret !== undefined) return { authorization: `Bearer ${await read(registry.bearerTokenSecret.name, registry.bearerTokenSecret.key)}` };
    if (registry.basicAuthSecret !== undefined) {
      const user = await read(registry.basicAuthSecret.name, 'username');
      const password = await read(registry.basicAuthSecret.name, 'password');
      return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
    }
    return {};
  }
}
