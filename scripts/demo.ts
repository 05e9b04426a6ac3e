// `npm run demo`: the main job end to end on this machine. A local control plane, modelship's CRD,
// the operator (`node src/main.ts`) and every example ModelDeployment going Ready. Stays up until
// Ctrl-C so you can explore; MODELSHIP_DEMO_EXIT=1 stops after showing the result (used by tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { resolve } from 'node:path';
import { dump } from 'js-yaml';
import { startLocalCluster, stopOnSignals } from '../test/cluster/local-cluster.ts';
import { installCrdFiles, installGatewayApiCrds, installIstioCrds, installTraefikCrds } from '../test/cluster/traffic.ts';
import { startScriptNodeFlags } from '../test/cluster/start-script-flags.ts';
import { messageWithCauses } from '../src/errors.ts';

const root = resolve(import.meta.dirname, '..');
const namespace = 'demo';
const say = (line: string) => process.stdout.write(`${line}\n`);
say('starting a local Kubernetes control plane (kube-apiserver, etcd, controller-manager, scheduler, kwok)');
say('  the first run builds them from pinned Go modules; progress and the time left follow ([tools] lines)');
const cluster = await startLocalCluster();
const { toolsDir } = cluster.cp;
say(`control plane ready in ${cluster.startSeconds.toFixed(1)} s (Kubernetes v1.35, ${cluster.cp.nodeNames.length} simulated nodes)`);

function kubectl(args: string[], input?: string): Promise<string> {
  return new Promise((res, rej) => {
    const child = spawn(resolve(toolsDir, 'kubectl'), ['--kubeconfig', cluster.kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('close', (code) => (code === 0 ? res(out) : rej(new Error(`kubectl ${args.join(' ')}: ${err || out}`))));
    child.stdin.end(input ?? '');
  });
}

const operatorLog = resolve(cluster.localDir, 'operator.log');
const logFd = openSync(operatorLog, 'w');
let operator: ChildProcess | undefined;
function startOperator(): void {
  const flags = ['--kubeconfig', cluster.kubeconfig, '--leader-elect=false', '--metrics-bind-address=127.0.0.1:0', '--health-probe-bind-address=127.0.0.1:0'];
  operator = spawn(process.execPath, [...startScriptNodeFlags(), 'src/main.ts', ...flags], { cwd: root, stdio: ['ignore', logFd, logFd] });
}
const stop = stopOnSignals(cluster, async () => {
  if (!operator) return;
  const exited = new Promise((r) => operator?.once('close', r));
  operator.kill('SIGTERM');
  await exited;
});

try {
  await installCrdFiles(toolsDir, cluster.kubeconfig, [resolve(root, 'crds', 'modelship.io_modeldeployments.yaml')]);
  say('installed the ModelDeployment CRD (crds/)');
  // The canary examples route through Gateway API, Istio and Traefik: their CRDs (no gateway or mesh runs here).
  await installGatewayApiCrds(cluster.kubeconfig, toolsDir);
  await installIstioCrds(cluster.kubeconfig, toolsDir);
  await installTraefikCrds(cluster.kubeconfig, toolsDir);
  // Read from the Go module cache (downloaded on first use): nothing is built for them.
  say('installed the Gateway API, Istio and Traefik CRDs (objects only: no gateway or mesh runs in the demo)');
  startOperator();
  await kubectl(['create', 'namespace', namespace]);
  // The custom example serves a model from a PersistentVolumeClaim named "models".
  await kubectl(['apply', '-f', '-'], [
    dump({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'demo-models' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadOnlyMany'], hostPath: { path: '/tmp/models' }, storageClassName: '', claimRef: { namespace, name: 'models' } } }),
    dump({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'models', namespace }, spec: { accessModes: ['ReadOnlyMany'], resources: { requests: { storage: '1Gi' } }, storageClassName: '', volumeName: 'demo-models' } }),
  ].join('---\n'));
  say(`operator running (node src/main.ts), logs in ${operatorLog}`);
  say(await kubectl(['apply', '-n', namespace, '-f', resolve(root, 'examples')]));
  say('waiting until every example is Ready (kwok plays the kubelet: pods start without pulling images)');
  const started = Date.now();
  await kubectl(['wait', '-n', namespace, '--for=condition=Ready', 'modeldeployments', '--all', '--timeout=120s']);
  say(`every example is Ready after ${((Date.now() - started) / 1000).toFixed(1)} s:\n`);
  say(await kubectl(['get', 'modeldeployments', '-n', namespace]));
  say(await kubectl(['get', 'deployments,services,hpa,pdb', '-n', namespace]));
} catch (err) {
  process.stderr.write(`demo failed: ${messageWithCauses(err)}\noperator log: ${operatorLog}\n`);
  await stop();
}

if (process.env.MODELSHIP_DEMO_EXIT === '1') {
  await stop();
} else {
  say(
    [
      'Try it:',
      `  export KUBECONFIG=${cluster.kubeconfig}; alias kubectl=${toolsDir}/kubectl`,
      `  kubectl get mdep -n ${namespace}`,
      `  kubectl describe mdep iris -n ${namespace}`,
      `  kubectl patch mdep iris -n ${namespace} --type merge -p '{"spec":{"model":{"version":"2"}}}'   # rolling update`,
      `  kubectl patch mdep churn-canary -n ${namespace} --type merge -p '{"spec":{"model":{"version":"13"}}}'   # a canary`,
      `  npx modelship watch churn-canary -n ${namespace}      # steps, weights, then: npx modelship promote churn-canary -n ${namespace}`,
      'Ctrl-C stops the operator and the control plane.',
    ].join('\n'),
  );
}
