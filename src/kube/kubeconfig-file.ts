// One kubeconfig file, read and checked: the fields client-go's clientcmd reads, relative file paths
// made absolute against the file's directory (as clientcmd does before merging files), unknown
// fields ignored. Nullish values are accepted as absent: client-node's exportConfig writes nulls.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { load } from 'js-yaml';
import { z } from 'zod';
import { formatFieldPath } from '../api/field-path.ts';
import { issueMessage } from '../api/issue-message.ts';
import { errorMessage } from '../errors.ts';

const text = z.string().nullish();

const clusterSchema = z.looseObject({
  server: z.string().min(1, 'is required'),
  'certificate-authority': text,
  'certificate-authority-data': text,
  'insecure-skip-tls-verify': z.boolean().nullish(),
  'tls-server-name': text,
  'proxy-url': text,
  extensions: z.array(z.looseObject({ name: z.string(), extension: z.unknown() })).nullish(),
});

const execSchema = z.looseObject({
  command: z.string().min(1, 'is required'),
  args: z.array(z.string()).nullish(),
  env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
  apiVersion: z.string().min(1, 'is required'),
  installHint: text,
  provideClusterInfo: z.boolean().nullish(),
  interactiveMode: z.enum(['Never', 'IfAvailable', 'Always']).nullish(),
});

const userSchema = z.looseObject({
  'client-certificate': text,
  'client-certificate-data': text,
  'client-key': text,
  'client-key-data': text,
  token: text,
  tokenFile: text,
  username: text,
  password: text,
  exec: execSchema.nullish(),
  'auth-provider': z.looseObject({ name: z.string(), config: z.record(z.string(), z.unknown()).nullish() }).nullish(),
  as: text,
  'as-uid': text,
  'as-groups': z.array(z.string()).nullish(),
  'as-user-extra': z.record(z.string(), z.unknown()).nullish(),
});

const contextSchema = z.looseObject({ cluster: z.string().min(1, 'is required'), user: text, namespace: text });

const name = z.string().min(1, 'is required');

const kubeconfigSchema = z.looseObject({
  clusters: z.array(z.looseObject({ name, cluster: clusterSchema })).nullish(),
  users: z.array(z.looseObject({ name, user: userSchema.nullish() })).nullish(),
  contexts: z.array(z.looseObject({ name, context: contextSchema })).nullish(),
  'current-context': text,
});

export type KubeconfigCluster = z.infer<typeof clusterSchema>;
export type KubeconfigUser = z.infer<typeof userSchema>;
export type KubeconfigExec = z.infer<typeof execSchema>;
export type KubeconfigContext = z.infer<typeof contextSchema>;

/** A parsed file: entries by name, in file order, with absolute paths. */
export interface KubeconfigFile {
  /** Where it came from, for messages: a path, or a description of in-memory text. */
  readonly origin: string;
  readonly clusters: ReadonlyMap<string, KubeconfigCluster>;
  readonly users: ReadonlyMap<string, KubeconfigUser>;
  readonly contexts: ReadonlyMap<string, KubeconfigContext>;
  readonly currentContext: string | undefined;
}

export function readKubeconfigFile(path: string): KubeconfigFile {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`kubeconfig ${path}: cannot read it: ${errorMessage(err)}`, { cause: err });
  }
  return parseKubeconfig(source, path, dirname(resolve(path)));
}

/** `dir` anchors relative paths (the file's directory). */
export function parseKubeconfig(source: string, origin: string, dir: string): KubeconfigFile {
  let raw: unknown;
  try {
    raw = load(source);
  } catch (err) {
    throw new Error(`kubeconfig ${origin}: not valid YAML: ${errorMessage(err)}`, { cause: err });
  }
  // An empty file is an empty config, as for clientcmd.
  const parsed = kubeconfigSchema.safeParse(raw ?? {}, { error: issueMessage });
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${formatFieldPath(i.path)}: ${i.message}`);
    throw new Error(`kubeconfig ${origin}: ${issues.join('; ')}`);
  }
  const config = parsed.data;
  const abs = (p: string | null | undefined): string | undefined => (p ? (isAbsolute(p) ? p : resolve(dir, p)) : undefined);
  const byName = <E extends { name: string }, T>(kind: string, entries: readonly E[] | null | undefined, value: (e: E) => T): Map<string, T> => {
    const map = new Map<string, T>();
    for (const e of entries ?? []) {
      // Duplicates are an error for clientcmd too.
      if (map.has(e.name)) throw new Error(`kubeconfig ${origin}: ${kind} ${e.name} is defined twice`);
      map.set(e.name, value(e));
    }
    return map;
  };
  return {
    origin,
    clusters: byName('cluster', config.clusters, ({ cluster: c }) => ({ ...c, 'certificate-authority': abs(c['certificate-authority']) })),
    users: byName('user', config.users, (e) => {
      const u = e.user ?? {};
      // clientcmd resolves an exec command only when it is a path, not a name looked up in PATH.
      const exec = u.exec ? { ...u.exec, command: u.exec.command.includes('/') ? (abs(u.exec.command) ?? u.exec.command) : u.exec.command } : u.exec;
      return { ...u, 'client-certificate': abs(u['client-certificate']), 'client-key': abs(u['client-key']), tokenFile: abs(u.tokenFile), exec };
    }),
    contexts: byName('context', config.contexts, (e) => e.context),
    currentContext: config['current-context'] || undefined,
  };
}
