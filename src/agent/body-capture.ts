// A bounded copy of a body taken on the side of the stream: the first `max` bytes, never more memory.

export class BodyCapture {
  readonly #max: number;
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  truncated = false;

  constructor(max: number) {
    this.#max = max;
  }

  add(chunk: Buffer): void {
    const room = this.#max - this.#bytes;
    if (room <= 0) {
      if (chunk.length > 0) this.truncated = true;
      return;
    }
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    if (part.length < chunk.length) this.truncated = true;
    // A copy: the stream may reuse its buffers.
    this.#chunks.push(Buffer.from(part));
    this.#bytes += part.length;
  }

  bytes(): Buffer {
    return this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#bytes);
  }
}

/** A body as logged: its JSON when it parses (and is whole), else its text. Pure. */
export function loggedBody(bytes: Buffer, truncated: boolean): unknown {
  const text = bytes.toString('utf8');
  if (truncated || text === '') return text;
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
