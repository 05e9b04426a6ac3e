// One copy of each repeated string. JSON.parse gives every string value of every object its own copy
// (V8 shares only very short ones), so 10,000 cached children each hold their own "modelship.io/v1alpha1",
// label values, condition reasons and managedFields text. Strings met again are handed out from a
// table instead. The table is bounded: when the current generation is full it becomes the previous
// one and the one before is dropped, so strings still in use move forward and one-off strings (of
// objects long gone) are released. A miss only costs a copy, never correctness.

export class StringInterner {
  private current = new Map<string, string>();
  private previous = new Map<string, string>();
  private readonly generationSize: number;

  constructor(generationSize: number) {
    this.generationSize = generationSize;
  }

  intern(s: string): string {
    const hit = this.current.get(s);
    if (hit !== undefined) return hit;
    const old = this.previous.get(s);
    const kept = old ?? s;
    if (this.current.size >= this.generationSize) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(kept, kept);
    return kept;
  }

  /** Strings in the table (both generations, counted once each), for tests. */
  get size(): number {
    let n = this.current.size;
    for (const s of this.previous.keys()) if (!this.current.has(s)) n++;
    return n;
  }
}
