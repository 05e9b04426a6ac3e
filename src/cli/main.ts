// The modelship command (also `kubectl modelship`): wiring only.
import { readFileSync } from 'node:fs';
import { ApiClient } from '../kube/api-client.ts';
import { loadClusterConnection } from '../kube/cluster-connection.ts';
import { HELP, parseArgs } from './args.ts';
import { render, validate } from './offline.ts';
import { top } from './top.ts';
import { defaultNamespace, requestAction, requestBatchRun, status, watch } from './cluster-actions.ts';
import { messageWithCauses } from '../errors.ts';

const out = (text: string) => process.stdout.write(text);
const err = (text: string) => process.stderr.write(text);

export async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    err(`modelship: ${parsed.error}\n`);
    return 2;
  }
  const { command, output } = parsed.args;
  if (command.verb === 'help') {
    out(HELP);
    return 0;
  }
  if (command.verb === 'render' || command.verb === 'validate') {
    const inputs = command.files.map((f) => ({ name: f === '-' ? 'stdin' : f, text: readFileSync(f === '-' ? 0 : f, 'utf8') }));
    const result = command.verb === 'render' ? render(inputs, parsed.args.namespace) : validate(inputs);
    out(result.stdout);
    err(result.stderr);
    return result.ok ? 0 : 1;
  }
  if (command.verb === 'top') {
    const address = command.prometheus ?? process.env.MODELSHIP_PROMETHEUS_ADDRESS;
    if (address === undefined || address === '') {
      err('modelship: top needs --prometheus URL (or $MODELSHIP_PROMETHEUS_ADDRESS), e.g. kubectl -n monitoring port-forward svc/prometheus 9090 and --prometheus http://localhost:9090\n');
      return 2;
    }
    const namespace = command.allNamespaces ? undefined : (parsed.args.namespace ?? kubeconfigNamespace(parsed.args.kubeconfig));
    await top(address, namespace, out);
    return 0;
  }
  const connection = loadClusterConnection(parsed.args.kubeconfig);
  const namespace = parsed.args.namespace ?? defaultNamespace(connection);
  const client = new ApiClient(connection, { qps: 20, burst: 40, userAgent: 'modelship-cli' });
  switch (command.verb) {
    case 'status':
      await status(client, namespace, command.name, output, out);
      return 0;
    case 'watch': {
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      await watch(client, namespace, command.name, out, abort.signal);
      return 0;
    }
    case 'rollback':
      await requestAction(client, namespace, command.name, 'rollback', out, command.toRevision);
      return 0;
    case 'batch-run':
      await requestBatchRun(client, namespace, command.name, out);
      return 0;
    case 'promote':
    case 'abort':
    case 'retry':
      await requestAction(client, namespace, command.name, command.verb, out);
      return 0;
  }
}

/** top reads Prometheus only: without a kubeconfig its namespace is "default", as kubectl's. */
function kubeconfigNamespace(kubeconfig: string | undefined): string {
  try {
    return defaultNamespace(loadClusterConnection(kubeconfig));
  } catch {
    return 'default';
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  err(`modelship: ${messageWithCauses(e)}\n`);
  process.exitCode = 1;
}
