// Records waiting for object storage, bounded by bytes. Adding never waits: a record that does not fit is
// dropped and counted. A batch taken for upload keeps counting against the bound until it is settled, so
// a sink that is down fills the buffer and then drops, and memory stays bounded. No I/O.

export interface Line {
  readonly text: string;
  readonly bytes: number;
  readonly ms: number;
}

export interface Batch {
  readonly lines: readonly Line[];
  readonly bytes: number;
  /** Time of the first record: the file's hour partition. */
  readonly firstMs: number;
}

export class LogBuffer {
  readonly #capacity: number;
  #queue: Line[] = [];
  #head = 0;
  #queuedBytes = 0;
  #inFlightBytes = 0;
  #inFlightRecords = 0;
  dropped = 0;

  constructor(capacityBytes: number) {
    this.#capacity = capacityBytes;
  }

  /** Whether the line was kept (false: dropped and counted). */
  add(text: string, ms: number): boolean {
    const bytes = Buffer.byteLength(text) + 1;
    if (this.#queuedBytes + this.#inFlightBytes + bytes > this.#capacity) {
      this.dropped++;
      return false;
    }
    this.#queue.push({ text, bytes, ms });
    this.#queuedBytes += bytes;
    return true;
  }

  get records(): number {
    return this.#queue.length - this.#head + this.#inFlightRecords;
  }

  get bytes(): number {
    return this.#queuedBytes + this.#inFlightBytes;
  }

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Time of the oldest queued record, or undefined when none is queued. */
  get oldestMs(): number | undefined {
    return this.#queue[this.#head]?.ms;
  }

  /** Up to `maxBytes` of queued records (at least one), all of the first record's UTC hour. */
  take(maxBytes: number): Batch | undefined {
    const first = this.#queue[this.#head];
    if (first === undefined) return undefined;
    const hour = Math.floor(first.ms / 3_600_000);
    const lines: Line[] = [];
    let bytes = 0;
    while (this.#head < this.#queue.length) {
      const line = this.#queue[this.#head]!;
      if (lines.length > 0 && (bytes + line.bytes > maxBytes || Math.floor(line.ms / 3_600_000) !== hour)) break;
      lines.push(line);
      bytes += line.bytes;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#queuedBytes -= bytes;
    this.#inFlightBytes += bytes;
    this.#inFlightRecords += lines.length;
    return { lines, bytes, firstMs: first.ms };
  }

  /** A taken batch is written (or given up): its bytes leave the buffer. */
  settle(batch: Batch): void {
    this.#inFlightBytes -= batch.bytes;
    this.#inFlightRecords -= batch.lines.length;
  }
}
