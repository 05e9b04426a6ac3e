// The CLI verbs that talk to the cluster. Promote, abort, retry and rollback only set an annotation
// (field manager modelship-cli); the operator acts on it and records it as handled in status.
import { dump } from 'js-yaml';
import { BATCH_RUN_REQUESTED_ANNOTATION } from '../api/batch-annotations.ts';
import { manualRunFor } from '../batch/reconcile-batch.ts';
import type { ApiClient } from '../kube/api-client.ts';
import type { ClusterConnection } from '../kube/cluster-connection.ts';
import type { ObjectRef } from '../kube/resource-paths.ts';
import { formatStatus, previousGoodRevision, type StatusView } from './format-status.ts';

type Out = (text: string) => void;

export function defaultNamespace(connection: ClusterConnection): string {
  return connection.namespace ?? 'default';
}

const ref = (namespace: string, name: string): ObjectRef => ({ apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', namespace, name });

async function read(client: ApiClient, namespace: string, name: string): Promise<StatusView> {
  const md = await client.get<StatusView & { apiVersion?: string }>(ref(namespace, name));
  if (!md) throw new Error(`ModelDeployment ${namespace}/${name} not found`);
  return md;
}

function show(md: StatusView, output: 'text' | 'json' | 'yaml'): string {
  if (output === 'json') return `${JSON.stringify(md, null, 2)}\n`;
  if (output === 'yaml') return dump(md);
  return formatStatus(md);
}

export async function status(client: ApiClient, namespace: string, name: string, output: 'text' | 'json' | 'yaml', out: Out): Promise<void> {
  out(show(await read(client, namespace, name), output));
}

export async function requestAction(
  client: ApiClient,
  namespace: string,
  name: string,
  action: 'promote' | 'abort' | 'retry' | 'rollback',
  out: Out,
  toRevision?: number,
): Promise<void> {
  const md = await read(client, namespace, name);
  const id = new Date().toISOString();
  let value = id;
  if (action === 'rollback') {
    const revision = toRevision ?? previousGoodRevision(md);
    if (revision === undefined) throw new Error(`${name} has no earlier known-good revision in status.history to roll back to`);
    if (!md.status?.history?.some((h) => h.revision === revision)) throw new Error(`revision ${revision} is not in ${name}'s status.history`);
    value = `${id}/${revision}`;
  }
  if ((action === 'promote' || action === 'abort') && !md.status?.canary) throw new Error(`${name} has no canary to ${action}`);
  await client.mergePatch(ref(namespace, name), { metadata: { annotations: { [`modelship.io/${action}`]: value } } });
  out(`${action} requested for ${namespace}/${name}${action === 'rollback' ? ` (revision ${value.split('/')[1]})` : ''}\n`);
}

/**
 * Asks for a batch run now: modelship.io/batch-run-requested set to the current time, which also names
 * the run (reconcile-batch.ts), so the name printed is the run the operator starts. With
 * concurrencyPolicy Forbid and a run still active the operator skips it (Event RunSkipped).
 */
export async function requestBatchRun(client: ApiClient, namespace: string, name: string, out: Out, now: Date = new Date()): Promise<string> {
  const md = await read(client, namespace, name);
  const mode = (md as { spec?: { mode?: string } }).spec?.mode;
  if (mode !== 'batch') throw new Error(`${name} is not a batch ModelDeployment (spec.mode is ${mode ?? 'realtime'})`);
  const value = now.toISOString();
  await client.mergePatch(ref(namespace, name), { metadata: { annotations: { [BATCH_RUN_REQUESTED_ANNOTATION]: value } } });
  const run = manualRunFor(name, value, now);
  out(`batch run requested for ${namespace}/${name}: run ${run} (${BATCH_RUN_REQUESTED_ANNOTATION}=${value})\n`);
  return run;
}

/** Prints the status each time it changes, until the signal aborts. */
export async function watch(client: ApiClient, namespace: string, name: string, out: Out, signal: AbortSignal): Promise<void> {
  let last = '';
  const print = (md: StatusView) => {
    const text = formatStatus(md);
    if (text !== last) out(`${new Date().toISOString()}\n${text}\n`);
    last = text;
  };
  print(await read(client, namespace, name));
  while (!signal.aborted) {
    const md = await client.get<StatusView & { metadata?: { resourceVersion?: string } }>(ref(namespace, name));
    const rv = md?.metadata?.resourceVersion ?? '0';
    try {
      await client.watch<StatusView & { metadata?: { name?: string } }>(
        { apiVersion: 'modelship.io/v1alpha1', kind: 'ModelDeployment', namespace },
        { resourceVersion: rv, timeoutSeconds: 300 },
        (event) => {
          if (event.type !== 'BOOKMARK' && event.type !== 'ERROR' && event.object.metadata?.name === name) print(event.object);
        },
        signal,
      );
    } catch (err) {
      if (signal.aborted) return;
      out(`watch interrupted (${(err as Error).message}); reconnecting\n`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
