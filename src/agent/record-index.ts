// Recently logged predictions by request id, for labels that arrive soon after: bounded by entries, the
// oldest forgotten first (older ones are found in the files).
import type { Predictions } from './labels.ts';

export interface IndexedPrediction {
  readonly variant: string;
  readonly revision: string;
  readonly version: string;
  readonly predictions: Predictions;
}

export class RecordIndex {
  readonly #max: number;
  readonly #map = new Map<string, IndexedPrediction>();

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  set(requestId: string, entry: IndexedPrediction): void {
    this.#map.delete(requestId);
    this.#map.set(requestId, entry);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
  }

  get(requestId: string): IndexedPrediction | undefined {
    return this.#map.get(requestId);
  }

  get size(): number {
    return this.#map.size;
  }
}
