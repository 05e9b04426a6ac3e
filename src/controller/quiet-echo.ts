// Whether the watch event of a reconcile's own status write may start no reconcile (a "quiet echo"):
// decided by a pure function, and recorded per key, in memory only, by StatusEchoes. Fed its own
// status back with the same observations, a reconcile decides the same and writes nothing: the
// rollout machine and the serving status are fixed points by construction (the "idempotent"
// properties in test/unit/rollout/properties.test.ts and test/unit/status/properties.test.ts). So the
// reconcile that event would start repeats the one that wrote it, unless the written status changes
// what the machine observes (the replicas provider reads the canary's last weight from status) or a
// part that is not such a fixed point reads it back: the drift checks (their schedule) and the
// retrainer (the drift verdict and the stable revision). Converging a model, its two status writes
// were two of its five or six reconciles. Every other event still starts one: a child's, the spec's,
// a label's, a status written by anyone else, a relist.
import type { ModelDeploymentSpec } from '../api/index.ts';
import type { KubeObject } from '../kube/api-client.ts';
import type { InformerEvent } from '../kube/informer.ts';
import type { RolloutObservations } from '../rollout/index.ts';
import { jsonEqual } from '../status/status-changed.ts';

/** `before` and `after`: the live objects observed against the status read and the status written, from the same caches. */
export function echoChangesNothing(spec: ModelDeploymentSpec, before: RolloutObservations, after: RolloutObservations): boolean {
  return spec.monitoring?.drift === undefined && spec.monitoring?.retraining === undefined && jsonEqual(before, after);
}

interface Entry {
  /** The write is on its way; the versions of the key's events met meanwhile ('' for one that is not an update). */
  readonly held?: string[];
  /** The write's answer came first: the version of its echo, which starts no reconcile. */
  readonly echo?: string;
}

/**
 * The operator's status writes and their echoes, per key. The echo often arrives before the write's
 * answer (both come from the API server at once), so the key's events are held while the write is on
 * its way: once answered, they start no reconcile only if they were that write's quiet echo alone.
 * Any event of the key ends a record: the echo is the very next version of the object, since the write
 * was conditional on the version the cache held.
 */
export class StatusEchoes {
  private readonly entries = new Map<string, Entry>();
  private readonly release: (key: string) => void;

  /** `release` starts the reconcile that held events of a key deserve (the work queue's add). */
  constructor(release: (key: string) => void) {
    this.release = release;
  }

  /** Before a status write of `key` is sent. */
  writing(key: string): void {
    this.entries.set(key, { held: [] });
  }

  /** The write was answered with `version`; `quiet`: its echo may start no reconcile (echoChangesNothing). */
  written(key: string, version: string | undefined, quiet: boolean): void {
    const held = this.entries.get(key)?.held;
    this.entries.delete(key);
    if (held === undefined) return;
    if (held.length === 0) {
      if (quiet && version !== undefined) this.entries.set(key, { echo: version });
    } else if (!(quiet && held.length === 1 && held[0] === version)) {
      this.release(key);
    }
  }

  /** The write failed: the events held meanwhile start their reconcile. */
  failed(key: string): void {
    const held = this.entries.get(key)?.held;
    this.entries.delete(key);
    if (held !== undefined && held.length > 0) this.release(key);
  }

  /** Forgets an answered write (the key is gone, or a reconcile waits for the echo and wants it to start one). */
  forget(key: string): void {
    if (this.entries.get(key)?.held === undefined) this.entries.delete(key);
  }

  /** Whether a watch event of `key` starts no reconcile now: held until the write's answer, or its quiet echo. */
  absorbs(key: string, event: InformerEvent, obj: KubeObject): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    const version = event === 'update' ? (obj.metadata?.resourceVersion ?? '') : '';
    if (entry.held !== undefined) {
      entry.held.push(version);
      return version !== '';
    }
    this.entries.delete(key);
    return version !== '' && version === entry.echo;
  }

  /** Records kept (bounded by the keys with a write in flight or an echo to come). */
  get size(): number {
    return this.entries.size;
  }
}
