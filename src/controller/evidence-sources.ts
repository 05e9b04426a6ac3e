// Where each kind of evidence the machine asks for comes from: the validation Job's state from the
// informer cache; the smoke check and measurements fetched (fetch-smoke-check.ts, fetch-measurement.ts).
// And what a fetch that missed its deadline says: the model did not answer the smoke check in time
// (Failed), or nothing was learnt about it (an Error measurement, retried soon).
import type { Logger } from 'pino';
import type { V1Job } from '@kubernetes/client-node';
import type { ApiClient } from '../kube/api-client.ts';
import type { Cidr } from '../outbound/index.ts';
import type { AnalysisSourceSettings } from '../analysis/prometheus-sources.ts';
import type { EvidenceRequest } from '../rollout/index.ts';
import { validationJobName } from '../render/index.ts';
import { childCacheKey, type Caches } from './caches.ts';
import type { Evidence, EvidenceSources, EvidenceSubject } from './evidence-gatherer.ts';
import { fetchMeasurement, unavailable } from './fetch-measurement.ts';
import { fetchSmokeCheck } from './fetch-smoke-check.ts';
import { jobValidation } from './job-validation.ts';

export interface EvidenceSourceDeps {
  readonly client: ApiClient;
  readonly caches: Caches;
  /** Where canary analysis may send its queries. */
  readonly analysisSources: AnalysisSourceSettings;
  /** Loopback and link-local ranges outbound requests may reach (--outbound-allow-cidrs). */
  readonly allowCidrs: readonly Cidr[];
  readonly now: () => Date;
  readonly log: Logger;
}

export function evidenceSources(deps: EvidenceSourceDeps): EvidenceSources {
  const jobs = deps.caches.children.get(childCacheKey('batch/v1', 'Job'));
  const readCache = (subject: EvidenceSubject, request: EvidenceRequest): Evidence => {
    if (request.kind !== 'job-result') return {};
    const job = jobs?.get(subject.namespace, validationJobName(subject.name, request.revision)) as V1Job | undefined;
    const validation = jobValidation(job, request.revision);
    return validation !== undefined ? { validation } : {};
  };
  return {
    inCache: (request) => request.kind === 'job-result',
    readCache,

    // The signal (deadline, or the request dropped) cancels the requests in flight and sends no more.
    async fetch(subject, request, signal): Promise<Evidence | undefined> {
      const log = deps.log.child({ key: subject.key });
      switch (request.kind) {
        case 'smoke-check': {
          const pods = () => deps.caches.pods.byIndex(subject.namespace, subject.name);
          const validation = await fetchSmokeCheck(subject, request.revision, { client: deps.client, pods, allowCidrs: deps.allowCidrs, log }, signal);
          return validation !== undefined ? { validation } : undefined;
        }
        case 'measurement': {
          const { client, now, allowCidrs, analysisSources } = deps;
          return { analysisRun: await fetchMeasurement(subject, request, { client, now, allowCidrs, log, analysisSources }, signal) };
        }
        case 'job-result':
          return readCache(subject, request);
      }
    },

    timedOut(request, deadlineMs) {
      const why = `no result within ${Math.round(deadlineMs / 1000)} s`;
      switch (request.kind) {
        case 'smoke-check':
          return { validation: { revision: request.revision, method: 'smoke', phase: 'Failed', message: `smoke check: ${why}` } };
        case 'measurement':
          return { analysisRun: unavailable(request, `measurement: ${why}`) };
        case 'job-result':
          return {};
      }
    },
  };
}
