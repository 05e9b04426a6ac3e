// The context to use from one or more kubeconfig files, merged as client-go merges KUBECONFIG: the
// first file that defines a name wins, and so does the first current-context.
import type { KubeconfigCluster, KubeconfigContext, KubeconfigFile, KubeconfigUser } from './kubeconfig-file.ts';

export interface SelectedContext {
  /** "kubeconfig /a" or "kubeconfig /a:/b", for messages. */
  readonly origin: string;
  /** What a log line says about where the connection comes from. */
  readonly description: string;
  /** Empty for a context without a user (anonymous requests). */
  readonly userName: string;
  readonly cluster: KubeconfigCluster;
  readonly user: KubeconfigUser;
  readonly namespace: string | undefined;
}

export function selectContext(files: readonly KubeconfigFile[]): SelectedContext {
  const origin = `kubeconfig ${files.map((f) => f.origin).join(':')}`;
  const clusters = firstWins(files.map((f) => f.clusters));
  const users = firstWins(files.map((f) => f.users));
  const contexts = firstWins(files.map((f) => f.contexts));
  const contextName = files.find((f) => f.currentContext)?.currentContext;
  if (!contextName) throw new Error(`${origin}: no current-context is set`);
  const context: KubeconfigContext | undefined = contexts.get(contextName);
  if (!context) throw new Error(`${origin}: current-context ${contextName} is not defined`);
  const cluster = clusters.get(context.cluster);
  if (!cluster) throw new Error(`${origin}: context ${contextName} names cluster ${context.cluster}, which is not defined`);
  const userName = context.user ?? '';
  const user: KubeconfigUser | undefined = userName ? users.get(userName) : {};
  if (!user) throw new Error(`${origin}: context ${contextName} names user ${userName}, which is not defined`);
  const description = `${origin}, context ${contextName} (cluster ${context.cluster}${userName ? `, user ${userName}` : ''})`;
  return { origin, description, userName, cluster, user, namespace: context.namespace || undefined };
}

function firstWins<T>(maps: readonly ReadonlyMap<string, T>[]): Map<string, T> {
  const merged = new Map<string, T>();
  for (const map of maps) for (const [name, value] of map) if (!merged.has(name)) merged.set(name, value);
  return merged;
}
