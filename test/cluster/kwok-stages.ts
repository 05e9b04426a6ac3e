// The kwok stages a test control plane runs (kwok/stages.yaml), and the variant for a control plane with a
// data path, where a model-server pod is Ready only once the pod simulator serves it, as a readiness probe
// makes a kubelet do. Without that gate kwok marks a pod Running and Ready in one step, the gateway may route
// to it before the simulator has bound its IP, and the request fails with a 502 no real cluster would give.
//
// With the gate, such a pod walks: Pending -> Running, not Ready (pod-start-unready, IP assigned) -> the
// simulator serves it and annotates it (SERVING_ANNOTATION) -> Ready (pod-ready). Other pods are untouched.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { dump, loadAll } from 'js-yaml';

/** Set by the pod simulator on a pod once it answers on the pod's IP. */
export const SERVING_ANNOTATION = 'test.modelship.io/serving';

// A pod the simulator will serve and whose readiness it gates: a model-server pod (labelled with its
// ModelDeployment, owned by a ReplicaSet) on the pod network. Job pods (validation, batch) are not gated.
const GATED =
  '((.metadata.labels // {})["modelship.io/model-deployment"] != null) and ([(.metadata.ownerReferences // [])[].kind] | any(. == "ReplicaSet")) and ((.spec.hostNetwork // false) | not)';

interface MatchExpression {
  key: string;
  operator: string;
  values?: string[];
}

interface Stage {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { selector: { matchExpressions: MatchExpression[] }; next: { statusTemplate?: string } } & Record<string, unknown>;
}

const stagesFile = resolve(import.meta.dirname, 'kwok', 'stages.yaml');

function podStartUnready(podReady: Stage): Stage {
  const template = podReady.spec.next.statusTemplate ?? '';
  return {
    ...podReady,
    metadata: { name: 'pod-start-unready' },
    spec: {
      ...podReady.spec,
      selector: {
        matchExpressions: [
          ...podReady.spec.selector.matchExpressions,
          { key: GATED, operator: 'In', values: ['true'] },
        ],
      },
      next: {
        statusTemplate: template
          .replace(/status: "True"\n(\s+)type: (Ready|ContainersReady)/g, 'status: "False"\n$1type: $2')
          .replace(/ready: true/g, 'ready: false'),
      },
    },
  };
}

function gatedPodReady(podReady: Stage): Stage {
  const expressions = podReady.spec.selector.matchExpressions.map((e) =>
    e.key === '.status.phase' ? { ...e, values: ['Pending', 'Running'] } : e,
  );
  return {
    ...podReady,
    spec: {
      ...podReady.spec,
      selector: {
        matchExpressions: [
          ...expressions,
          { key: `(${GATED} | not) or ((.metadata.annotations // {})["${SERVING_ANNOTATION}"] == "true")`, operator: 'In', values: ['true'] },
        ],
      },
    },
  };
}

/** The stages, as kwok's --config file content; `servedReadiness` gates model-server pods' readiness. */
export function kwokStagesYaml(options: { servedReadiness: boolean }, source = readFileSync(stagesFile, 'utf8')): string {
  if (!options.servedReadiness) return source;
  const stages = loadAll(source) as Stage[];
  const podReady = stages.find((s) => s.metadata.name === 'pod-ready');
  if (!podReady) throw new Error(`${stagesFile} has no pod-ready stage`);
  const out = stages.flatMap((s) => (s === podReady ? [podStartUnready(s), gatedPodReady(s)] : [s]));
  return out.map((s) => dump(s, { lineWidth: -1, noRefs: true })).join('---\n');
}
