// What the reconciler saw during one reconcile: the only input of computeStatus besides the
// previous status and the time. The reconciler fills it; nothing here does I/O.
import type { StallReason } from '../api/reasons.ts';

export interface DeploymentObservation {
  variant: 'stable' | 'canary';
  name: string;
  /** False when the Deployment is not (yet) in the cache. */
  exists: boolean;
  /** metadata.generation. */
  generation?: number;
  /** status.observedGeneration; undefined = not observed yet. */
  observedGeneration?: number;
  /**
   * The DESIRED replica count: spec.replicas (the HPA's choice while autoscaling). Undefined counts
   * as 1, the API server's default. Not status.replicas: before its pods exist a new Deployment
   * reports status.replicas 0, and 0 of 0 ready would look done.
   */
  replicas?: number;
  // The status counts below are copied from Deployment.status, where 0 is omitted: undefined = 0.
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  /** status.conditions (Progressing, Available, ReplicaFailure). */
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

export interface PodObservation {
  name: string;
  phase?: string;
  /** Containers (init containers included) in state `waiting`, with the kubelet's reason. */
  waiting?: { container: string; reason: string; message?: string }[];
  /** Containers whose last (or current) state is `terminated`, e.g. OOMKilled before a crash loop. */
  terminated?: { container: string; reason: string; exitCode: number; message?: string }[];
  restartCount?: number;
  /**
   * The model fetcher's (init container model-fetcher) failed run, while it has not succeeded since: its exit
   * code and termination message (the kubelet's, from the terminationMessagePath or the log's tail; at most
   * 4096 bytes).
   */
  fetchFailure?: { container: string; exitCode: number; message?: string };
}

export interface ApplyError {
  kind: string;
  name: string;
  message: string;
  /** HTTP status of the refusal; undefined for network errors and timeouts. */
  code?: number;
  /**
   * Whether the same request may succeed later. Absent: decided from `code` (no response, 408, 409, 429
   * and 5xx are retryable). Set false for failures found before any request, e.g. a child name taken
   * by an object this ModelDeployment does not own.
   */
  retryable?: boolean;
}

export interface Observations {
  /** metadata.generation of the ModelDeployment. */
  generation: number;
  /** Set when the spec could not be rendered; then nothing was applied. */
  renderError?: { code: StallReason; field: string; message: string };
  /** One entry per child whose server-side apply failed in this reconcile. */
  applyErrors: ApplyError[];
  /** Permissions the operator found it lacks, e.g. `create horizontalpodautoscalers.autoscaling`. */
  missingPermissions?: string[];
  /**
   * The Deployments as they are AFTER this reconcile's applies (the apply responses or a fresh read),
   * not a cache from before them: otherwise Ready could be reported for the previous spec.
   */
  deployments: DeploymentObservation[];
  /** The model server pods of this ModelDeployment. */
  pods: PodObservation[];
  serviceUrl: string;
  autoscaling?: { minReplicas: number; maxReplicas: number };
}
