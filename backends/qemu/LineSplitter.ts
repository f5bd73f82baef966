/**
 * Splits a byte stream into newline-terminated lines (without the newline).
 * Internal: QMP and QGA both frame JSON messages by lines; QGA also puts a
 * raw 0xFF byte in the stream, which is why this works on bytes, not text.
 */
export class LineSplitter {
  #rest: Buffer = Buffer.alloc(0);

  /** Feeds a chunk; returns the complete lines it finished. */
  push(chunk: Buffer): Buffer[] {
    const buf = this.#rest.length ? Buffer.concat([this.#rest, chunk]) : chunk;
    const lines: Buffer[] = [];
    let start = 0;
    for (let i = buf.indexOf(0x0a, start); i !== -1; i = buf.indexOf(0x0a, start)) {
      lines.push(buf.subarray(start, i));
      start = i + 1;
    }
    this.#rest = Buffer.from(buf.subarray(start));
    return lines;
  }

  /** Drops any partial line (after a resynchronisation). */
  reset(): void {
    this.#rest = Buffer.alloc(0);
  }
}
