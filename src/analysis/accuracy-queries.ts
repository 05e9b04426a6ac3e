// The PromQL behind the built-in accuracy check. Labels are counted by the inference agent of whichever
// pod received the feedback, under the identity of the revision that served the prediction
// (prediction_revision), so a revision's labels are summed over every pod of the ModelDeployment, not
// selected by the scrape's variant label. The agent's metrics are the same for every runtime preset.
import { LABEL_MODEL_DEPLOYMENT, LABEL_NAMESPACE, equalityMatchers, promqlDuration } from './promql-syntax.ts';

export const LABELS_METRIC = 'modelship_inference_labels_total';
export const LABEL_PREDICTION_REVISION = 'prediction_revision';

/** The predictions of one revision of one ModelDeployment. */
export interface RevisionTarget {
  namespace: string;
  /** The ModelDeployment's name. */
  name: string;
  revision: number;
}

export interface AccuracyQueries {
  /** Labelled predictions of the revision in the window; 0 before any label. */
  labels: string;
  /** Of those, the ones whose label differed from the prediction; 0 when none did. */
  incorrect: string;
}

export function accuracyQueries(target: RevisionTarget, windowSeconds: number): AccuracyQueries {
  const matchers = equalityMatchers({
    [LABEL_NAMESPACE]: target.namespace,
    [LABEL_MODEL_DEPLOYMENT]: target.name,
    [LABEL_PREDICTION_REVISION]: String(target.revision),
  });
  const range = promqlDuration(windowSeconds);
  return {
    labels: `sum(increase(${LABELS_METRIC}{${matchers}}[${range}])) or vector(0)`,
    incorrect: `sum(increase(${LABELS_METRIC}{${matchers},result="incorrect"}[${range}])) or vector(0)`,
  };
}
