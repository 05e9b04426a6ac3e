// PURE: which ModelDeployments use which registry URI. The resolver polls once per (registry, URI)
// however many ModelDeployments name it: each entry has the set of keys that use it; a key uses one
// entry at most (its spec names one URI); an entry without keys is stopped. The bookkeeping only: the
// caller starts and stops the polling the answers name.

export interface Change {
  /** An entry that had no keys and has one now: start polling it. */
  readonly started?: string;
  /** An entry whose last key left: stop polling it. */
  readonly stopped?: string;
}

export class Subscriptions {
  private readonly entryOfKey = new Map<string, string>();
  private readonly keysOfEntry = new Map<string, Set<string>>();

  /** `key` uses `entry` now (and no other entry). */
  use(key: string, entry: string): Change {
    const before = this.entryOfKey.get(key);
    if (before === entry) return {};
    const left = before !== undefined ? this.leave(key, before) : undefined;
    this.entryOfKey.set(key, entry);
    let keys = this.keysOfEntry.get(entry);
    const started = keys === undefined ? entry : undefined;
    if (keys === undefined) {
      keys = new Set();
      this.keysOfEntry.set(entry, keys);
    }
    keys.add(key);
    return { ...(started !== undefined ? { started } : {}), ...(left !== undefined ? { stopped: left } : {}) };
  }

  /** `key` uses no entry any more (gone, or its URI is not a registry's). */
  drop(key: string): Change {
    const before = this.entryOfKey.get(key);
    if (before === undefined) return {};
    const left = this.leave(key, before);
    return left !== undefined ? { stopped: left } : {};
  }

  /** The keys using `entry`, in the order they came. */
  keysOf(entry: string): string[] {
    return [...(this.keysOfEntry.get(entry) ?? [])];
  }

  entryOf(key: string): string | undefined {
    return this.entryOfKey.get(key);
  }

  entries(): string[] {
    return [...this.keysOfEntry.keys()];
  }

  /** The entry `key` leaves, when it was its last key. */
  private leave(key: string, entry: string): string | undefined {
    this.entryOfKey.delete(key);
    const keys = this.keysOfEntry.get(entry);
    keys?.delete(key);
    if (keys !== undefined && keys.size === 0) {
      this.keysOfEntry.delete(entry);
      return entry;
    }
    return undefined;
  }
}
