// I/O: resolves the models:/ URIs of ModelDeployments in the platform's model registries, outside the
// reconcile workers. A reconcile asks `current(key, uri, registry)`: the first ask starts polling that key
// (now, then every poll interval); each answer that changes what is known brings the key back to the
// queue. A failed ask keeps the last resolution (the version keeps serving) and carries the failure.
// Every request goes through the hardened outbound client; credentials come from Secrets in the
// operator's own namespace, named by the platform's registries file, never by a ModelDeployment.
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
  uri: string;
  registry: string | undefined;
  state: RegistryState | undefined;
  timer: NodeJS.Timeout | undefined;
  generation: number;
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
  private readonly clients = new Map<string, OutboundClient>();
  private stopped = false;
  private readonly options: RegistryResolverOptions;

  constructor(options: RegistryResolverOptions) {
    this.options = options;
  }

  /** What is known of the key's URI; undefined while its first ask is under way. Starts polling it. */
  current(key: string, uri: string, registry: string | undefined): RegistryState | undefined {
    let entry = this.entries.get(key);
    if (entry !== undefined && (entry.uri !== uri || entry.registry !== registry)) {
      this.forget(key);
      entry = undefined;
    }
    if (entry === undefined) {
      entry = { uri, registry, state: undefined, timer: undefined, generation: 0 };
      this.entries.set(key, entry);
      this.schedule(key, entry, 0);
    }
    return entry.state;
  }

  /** The key is gone, or its URI is no longer a registry's. */
  forget(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    entry.generation++;
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    this.entries.delete(key);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const key of [...this.entries.keys()]) this.forget(key);
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    this.clients.clear();
  }

  private schedule(key: string, entry: Entry, delayMs: number): void {
    if (this.stopped) return;
    const generation = entry.generation;
    entry.timer = setTimeout(() => {
      void this.poll(key, entry, generation);
    }, delayMs);
    entry.timer.unref();
  }

  private async poll(key: string, entry: Entry, generation: number): Promise<void> {
    let answer: { ok: true; resolution: Resolution } | { ok: false; failure: RegistryFailure };
    try {
      answer = await this.ask(entry.uri, entry.registry);
    } catch (err) {
      answer = { ok: false, failure: { reason: 'RegistryUnavailable', message: err instanceof Error ? err.message : String(err) } };
    }
    if (this.stopped || entry.generation !== generation || this.entries.get(key) !== entry) return;
    const next = nextState(entry.state, answer);
    const changed = !sameState(entry.state, next);
    entry.state = next;
    if (changed) this.options.requeue(key);
    this.schedule(key, entry, this.options.settings.pollIntervalMs);
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
    } catch (err) {
      return { ok: false, failure: { reason: 'RegistryUnavailable', message: `the model registry ${registry.name} cannot be reached: ${describeOutboundFailure(toOutboundError(err, REQUEST_TIMEOUT_MS).failure)}` } };
    }
    let parsed = parseResolveAnswer(ref, status, body);
    if (!parsed.ok && parsed.askDownloadUri !== undefined) {
      // A source that is not fetchable as it is (MLflow 3's models:/m-<id>): its artifact location may be.
      const { version, source } = parsed.askDownloadUri;
      try {
        const res = await this.client(registry).send(downloadUriRequestUrl(registry.address, ref.name, version), { method: 'GET', headers: { accept: 'application/json', ...headers }, maxBytes: MAX_ANSWER_BYTES, timeoutMs: REQUEST_TIMEOUT_MS });
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

  private async credentials(registry: ModelRegistry): Promise<Record<string, string>> {
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
