// The condition types modelship owns, in the order they are listed in status.conditions.
// Ready comes first because humans and `kubectl get` read it first; the two kstatus conditions
// follow, then Serving. Types owned by later sub-reconcilers (e.g. RolloutInProgress) sort after
// these, alphabetically, so the list order never depends on the order conditions were set.
export const READY = 'Ready';
export const RECONCILING = 'Reconciling';
export const STALLED = 'Stalled';
export const SERVING = 'Serving';

export const CONDITION_ORDER: readonly string[] = [READY, RECONCILING, STALLED, SERVING];
