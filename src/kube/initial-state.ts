// PURE: how an informer's store is replaced by a fresh initial state, from a list or from a streaming
// list (KEP-3157 "watch-list": a watch with sendInitialEvents=true sends the objects as ADDED events and
// closes the initial state with a BOOKMARK annotated k8s.io/initial-events-end). As client-go's
// reflector: the initial state is assembled apart from the store, and only once it is complete does it
// replace the store, so a stream broken halfway changes nothing and objects that vanished while the
// informer was away are deleted.
import type { KubeObject, WatchEvent } from './api-client.ts';

export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : (obj.metadata?.name ?? '');
}

export function isInitialEventsEnd(event: WatchEvent<KubeObject>): boolean {
  return event.type === 'BOOKMARK' && event.object.metadata?.annotations?.[INITIAL_EVENTS_END_ANNOTATION] === 'true';
}

/** The initial state of a streaming list, object by object as its events arrive (each trimmed before it is kept). */
export class InitialStateAssembly<T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private readonly transform: (obj: T) => T;

  constructor(transform: (obj: T) => T = (obj) => obj) {
    this.transform = transform;
  }

  /**
   * Takes one event of the stream before its initial state is complete. Returns the resourceVersion
   * the state is complete at on the closing bookmark, else undefined. Only ADDED is expected before
   * the bookmark; MODIFIED and DELETED are applied all the same. Other bookmarks carry nothing.
   */
  take(event: WatchEvent<T>): string | undefined {
    if (event.type === 'BOOKMARK') return isInitialEventsEnd(event) ? (event.object.metadata?.resourceVersion ?? '') : undefined;
    if (event.type === 'ERROR') throw new Error('an ERROR event is not part of the initial state');
    const obj = this.transform(event.object);
    const key = objectKey(obj);
    if (event.type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, obj);
    return undefined;
  }

  get state(): ReadonlyMap<string, T> {
    return this.objects;
  }
}

export interface StoreChange<T> {
  readonly type: 'add' | 'update' | 'delete';
  readonly key: string;
  readonly obj: T;
}

/**
 * What replacing `store` with `fresh` changes, as client-go's Replace: a new key is an add, a changed
 * resourceVersion an update (an unchanged one is nothing), a key no longer there a delete (of the
 * object the store held). In `fresh`'s order, then the deletes.
 */
export function replaceChanges<T extends KubeObject>(store: ReadonlyMap<string, T>, fresh: ReadonlyMap<string, T>): StoreChange<T>[] {
  const changes: StoreChange<T>[] = [];
  for (const [key, obj] of fresh) {
    const old = store.get(key);
    if (!old) changes.push({ type: 'add', key, obj });
    else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) changes.push({ type: 'update', key, obj });
  }
  for (const [key, old] of store) if (!fresh.has(key)) changes.push({ type: 'delete', key, obj: old });
  return changes;
}
