/**
 * The framing QEMU uses on `-netdev stream` (and the older `-netdev socket`
 * stream mode): each Ethernet frame is preceded by its length as a 4-byte
 * big-endian integer (net/stream.c `htonl(size)`; net/net.c
 * `net_fill_rstate` on the reading side). Public (internal to the qemu
 * backend: the segment switch and its tests use it).
 */

/** Largest frame QEMU's reader accepts (NET_BUFSIZE in include/net/net.h). */
export const MAX_FRAME_BYTES = 4096 + 65536;

const HEADER_BYTES = 4;

/** One frame ready to write: length header + payload. Public, pure. */
export function encodeFrame(frame: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + frame.length);
  out.writeUInt32BE(frame.length, 0);
  out.set(frame, HEADER_BYTES);
  return out;
}

/**
 * Incremental decoder of a length-prefixed byte stream. Public.
 * `push` returns the frames completed by a chunk; a length above
 * MAX_FRAME_BYTES throws (the peer is not speaking QEMU's framing).
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= HEADER_BYTES) {
      const size = this.pending.readUInt32BE(0);
      if (size > MAX_FRAME_BYTES) throw new RangeError(`frame length ${size} exceeds ${MAX_FRAME_BYTES}`);
      if (this.pending.length < HEADER_BYTES + size) break;
      frames.push(Buffer.from(this.pending.subarray(HEADER_BYTES, HEADER_BYTES + size)));
      this.pending = this.pending.subarray(HEADER_BYTES + size);
    }
    return frames;
  }
}
