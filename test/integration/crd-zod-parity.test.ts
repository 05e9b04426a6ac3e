// zod (parseModelDeployment) and the real API server, through the generated CRD, must agree on every
// manifest: a few hundred valid manifests from fast-check, most of them with a mistake applied
// (test/fixtures/arbitrary-mistake.ts). Each is created with a server-side dry run, as kubectl
// sends it (fieldValidation=Strict), so nothing is stored. A disagreement is a bug in the schemas or
// the CRD generator, not in this test.
import { test } from 'node:test';
import fc from 'fast-check';
import { sharedCluster } from '../support/cluster.ts';
import { installCrds } from '../support/crds.ts';
import { testNamespace } from '../support/namespaces.ts';
import { testClient } from '../support/model-deployments.ts';
import { modelDeploymentManifest } from '../fixtures/arbitrary-model-deployment.ts';
import { mistake } from '../fixtures/arbitrary-mistake.ts';
import { withChanges } from '../fixtures/manifests.ts';
import type { JsonObject } from '../fixtures/manifests.ts';
import { parseModelDeployment } from '../../src/api/index.ts';
import { ApiError } from '../../src/kube/api-error.ts';

const SEED = 20240611;
const RUNS = 400;

const cluster = await sharedCluster();
await installCrds(cluster, { routers: false });
const client = testClient(cluster.kubeConfig());
const namespace = await testNamespace(cluster.kubeConfig(), 'parity');

type Verdict = { accepted: true } | { accepted: false; why: string };

async function serverVerdict(manifest: JsonObject): Promise<Verdict> {
  const body = { ...manifest, metadata: { ...(manifest.metadata as JsonObject), namespace } };
  try {
    await client.request('POST', `/apis/modelship.io/v1alpha1/namespaces/${namespace}/modeldeployments`, {
      query: { dryRun: 'All', fieldValidation: 'Strict' },
      body,
    });
    return { accepted: true };
  } catch (err) {
    // 400 (strict decoding: unknown fields) and 422 (schema, CEL) are refusals; anything else is a broken test.
    if (err instanceof ApiError && (err.status === 400 || err.status === 422)) return { accepted: false, why: err.serverMessage };
    throw err;
  }
}

function zodVerdict(manifest: JsonObject): Verdict {
  const result = parseModelDeployment(manifest);
  return result.ok ? { accepted: true } : { accepted: false, why: result.errors.map((e) => e.message).join('; ') };
}

const say = (v: Verdict) => (v.accepted ? 'accepts' : `refuses (${v.why})`);

void test(`zod and the API server agree on ${RUNS} generated manifests (seed ${SEED})`, async () => {
  const manifests = fc.tuple(modelDeploymentManifest, mistake).map(([base, m]) => ({ what: m.what, manifest: withChanges(base, m.changes) }));
  await fc.assert(
    fc.asyncProperty(manifests, async ({ what, manifest }) => {
      const [zod, server] = [zodVerdict(manifest), await serverVerdict(manifest)];
      if (zod.accepted !== server.accepted) {
        throw new Error(
          `seed ${SEED}, ${what}: zod ${say(zod)}, the API server ${say(server)}\nmanifest: ${JSON.stringify(manifest)}`,
        );
      }
    }),
    // endOnFailure: the first disagreement is reported as generated; shrinking would cost requests.
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
});
