// Counts the streams a client opens on an HTTP/2 connection piped raw (h2c, gRPC) from the frame headers
// of the client's bytes: a HEADERS frame on a client stream id above the last one opens a stream (one
// gRPC call); trailers and CONTINUATION frames do not. No HPACK decoding, so no method, path or status.
// Pure.
const PREFACE_BYTES = 24; // 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
const FRAME_HEADER = 9;
const HEADERS = 0x1;

export class H2StreamCounter {
  #skip = PREFACE_BYTES;
  #header = Buffer.alloc(FRAME_HEADER);
  #headerBytes = 0;
  #payloadLeft = 0;
  #lastStream = 0;

  /** The client's next bytes (from the connection preface on); returns the streams they opened. */
  push(chunk: Buffer): number {
    let opened = 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.#skip > 0 || this.#payloadLeft > 0) {
        const left = this.#skip > 0 ? this.#skip : this.#payloadLeft;
        const n = Math.min(left, chunk.length - i);
        if (this.#skip > 0) this.#skip -= n;
        else this.#payloadLeft -= n;
        i += n;
        continue;
      }
      const n = Math.min(FRAME_HEADER - this.#headerBytes, chunk.length - i);
      chunk.copy(this.#header, this.#headerBytes, i, i + n);
      this.#headerBytes += n;
      i += n;
      if (this.#headerBytes < FRAME_HEADER) break;
      this.#headerBytes = 0;
      this.#payloadLeft = this.#header.readUIntBE(0, 3);
      const stream = this.#header.readUInt32BE(5) & 0x7fffffff;
      if (this.#header[3] === HEADERS && stream % 2 === 1 && stream > this.#lastStream) {
        this.#lastStream = stream;
        opened++;
      }
    }
    return opened;
  }
}
