// PURE: how the operator's cost grows with the number of ModelDeployments, from one measured level per
// count. Linear growth means the cost of one more ModelDeployment stays the same from level to level.
import { round } from './stats.ts';

export interface ScaleLevel {
  readonly modelDeployments: number;
  readonly childrenExistSeconds: number;
  readonly readySeconds: number;
  readonly floorChildrenExistSeconds: number;
  readonly operatorCpuSeconds: number;
  /** A fresh operator with every ModelDeployment and child of the level converged and cached. */
  readonly freshRssMiB: number;
  readonly cachedObjects: number;
}

export interface ScaleStep {
  readonly from: number;
  readonly to: number;
  /** Extra memory per extra ModelDeployment between the two levels. */
  readonly rssKiBPerModelDeployment: number;
  readonly rssBytesPerCachedObject: number;
  /** Extra time to children and extra operator CPU per extra ModelDeployment. */
  readonly childrenMsPerModelDeployment: number;
  readonly cpuMsPerModelDeployment: number;
}

export interface ScaleGrowth {
  readonly perLevel: { modelDeployments: number; operatorToFloor: number; childrenMsPerModelDeployment: number; cpuMsPerModelDeployment: number }[];
  readonly steps: ScaleStep[];
  /**
   * The last step's marginal cost over the first's (1 = linear; above 1 = each ModelDeployment costs more
   * as the count grows). Undefined with fewer than two steps.
   */
  readonly marginalRatio?: { rss: number; childrenTime: number; cpu: number };
}

export function scaleGrowth(levels: readonly ScaleLevel[]): ScaleGrowth {
  const sorted = [...levels].sort((a, b) => a.modelDeployments - b.modelDeployments);
  const perLevel = sorted.map((l) => ({
    modelDeployments: l.modelDeployments,
    operatorToFloor: round(l.childrenExistSeconds / l.floorChildrenExistSeconds, 2),
    childrenMsPerModelDeployment: round((l.childrenExistSeconds * 1000) / l.modelDeployments, 2),
    cpuMsPerModelDeployment: round((l.operatorCpuSeconds * 1000) / l.modelDeployments, 2),
  }));
  const steps: ScaleStep[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (!a || !b) continue;
    const n = b.modelDeployments - a.modelDeployments;
    const objects = b.cachedObjects - a.cachedObjects;
    steps.push({
      from: a.modelDeployments,
      to: b.modelDeployments,
      rssKiBPerModelDeployment: round(((b.freshRssMiB - a.freshRssMiB) * 1024) / n, 1),
      rssBytesPerCachedObject: objects > 0 ? Math.round(((b.freshRssMiB - a.freshRssMiB) * 2 ** 20) / objects) : NaN,
      childrenMsPerModelDeployment: round(((b.childrenExistSeconds - a.childrenExistSeconds) * 1000) / n, 2),
      cpuMsPerModelDeployment: round(((b.operatorCpuSeconds - a.operatorCpuSeconds) * 1000) / n, 2),
    });
  }
  const first = steps[0];
  const last = steps.at(-1);
  const marginalRatio =
    first && last && steps.length > 1
      ? {
          rss: round(last.rssKiBPerModelDeployment / first.rssKiBPerModelDeployment, 2),
          childrenTime: round(last.childrenMsPerModelDeployment / first.childrenMsPerModelDeployment, 2),
          cpu: round(last.cpuMsPerModelDeployment / first.cpuMsPerModelDeployment, 2),
        }
      : undefined;
  return { perLevel, steps, ...(marginalRatio ? { marginalRatio } : {}) };
}
