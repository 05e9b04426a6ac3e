// PURE: marks a child as controlled by its ModelDeployment, so the garbage collector removes it
// with its owner and the controller can tell its own children from look-alikes.
import type { KubeObject } from '../kube/api-client.ts';

export interface Owner {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
}

export function withOwner<T extends KubeObject>(obj: T, owner: Owner): T {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }],
    },
  };
}

export function isControlledBy(obj: KubeObject, uid: string): boolean {
  return (obj.metadata?.ownerReferences ?? []).some((r) => r.uid === uid && r.controller === true);
}
