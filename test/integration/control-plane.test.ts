// The test control plane itself: real binaries, simulated nodes, controllers and RBAC at work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api, RbacAuthorizationV1Api, ApiException, type V1Deployment } from '@kubernetes/client-node';
import { sharedCluster } from '../support/cluster.ts';
import { testNamespace } from '../support/namespaces.ts';
import { eventually } from '../support/wait.ts';
import { runTool } from '../support/run-tool.ts';
import { mintServiceAccountKubeconfig } from '../cluster/service-account-kubeconfig.ts';

const cluster = await sharedCluster();
const kc = cluster.kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);

test('kube-apiserver is ready and kubectl reports Kubernetes v1.35', async () => {
  const readyz = await runTool(cluster.toolsDir, 'kubectl', ['--kubeconfig', cluster.kubeconfigPath, 'get', '--raw', '/readyz']);
  assert.equal(readyz.code, 0, readyz.stderr);
  assert.equal(readyz.stdout.trim(), 'ok');
  const version = await runTool(cluster.toolsDir, 'kubectl', ['--kubeconfig', cluster.kubeconfigPath, 'version', '-o', 'json']);
  assert.equal(version.code, 0, version.stderr);
  const parsed = JSON.parse(version.stdout) as { clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string } };
  assert.match(parsed.serverVersion.gitVersion, /^v1\.35\.\d+$/);
  assert.match(parsed.clientVersion.gitVersion, /^v1\.35\.\d+$/);
});

test('both simulated nodes are Ready', async () => {
  const nodes = await core.listNode();
  const ready = nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  assert.deepEqual(ready.map((n) => n.metadata?.name).sort(), ['kwok-node-0', 'kwok-node-1']);
});

test('a Deployment reaches its ready replicas, and deleting it garbage-collects ReplicaSets and Pods', async () => {
  const namespace = await testNamespace(kc, 'cp-deploy');
  const labels = { app: 'echo' };
  const body: V1Deployment = {
    metadata: { name: 'echo' },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'echo', image: 'example.invalid/echo:1' }] } },
    },
  };
  await apps.createNamespacedDeployment({ namespace, body });
  const ready = await eventually(
    'deployment echo to have 2 ready replicas',
    () => apps.readNamespacedDeployment({ namespace, name: 'echo' }),
    (d) => d.status?.readyReplicas === 2,
  );
  assert.equal(ready.status?.availableReplicas, 2);
  const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=echo' });
  assert.equal(pods.items.length, 2);
  assert.ok(pods.items.every((p) => p.spec?.nodeName?.startsWith('kwok-node-')), 'pods are scheduled onto the kwok nodes');
  assert.ok(pods.items.every((p) => p.status?.podIP?.startsWith('10.244.')), 'kwok assigns pod IPs from the pod CIDR');

  await apps.deleteNamespacedDeployment({ namespace, name: 'echo', body: { propagationPolicy: 'Background' } });
  await eventually('ReplicaSets and Pods to be garbage-collected', async () => {
    const [rs, po] = await Promise.all([apps.listNamespacedReplicaSet({ namespace }), core.listNamespacedPod({ namespace })]);
    return rs.items.length + po.items.length;
  }, (n) => n === 0);
});

test('a ServiceAccount kubeconfig is allowed what its Role grants and refused (403) the rest', async () => {
  const namespace = await testNamespace(kc, 'cp-rbac');
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reader' } } });
  await rbac.createNamespacedRole({
    namespace,
    body: { metadata: { name: 'configmap-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: 'reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
    },
  });
  const saKc = await mintServiceAccountKubeconfig(kc, namespace, 'reader');
  const saCore = saKc.makeApiClient(CoreV1Api);

  const list = await saCore.listNamespacedConfigMap({ namespace });
  assert.ok(Array.isArray(list.items), 'listing configmaps is allowed');
  await assert.rejects(
    saCore.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'nope' } } }),
    (err: unknown) => err instanceof ApiException && err.code === 403,
  );
  await assert.rejects(
    saCore.listNamespacedSecret({ namespace }),
    (err: unknown) => err instanceof ApiException && err.code === 403,
  );
});
