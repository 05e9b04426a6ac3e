// Recently logged predictions by request id, for labels that arrive soon after: bounded by entries, the
// oldest forgotten first (older ones are found in the files).
import { RecentMap } from '../recent-map.ts';
import type { Predictions } from './labels.ts';

export interface IndexedPrediction {
  readonly variant: string;
  readonly revision: string;
  readonly version: string;
  readonly predictions: Predictions;
}

export class RecordIndex extends RecentMap<string, IndexedPrediction> {}
