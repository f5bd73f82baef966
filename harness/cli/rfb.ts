/**
 * A minimal RFB 3.8 client (RFC 6143) for `vmconform virtctl vnc
 * --screenshot`: version handshake, security type None, ClientInit,
 * a 32-bit true-colour pixel format, Raw encoding, one full
 * FramebufferUpdateRequest, and the picture as PNG. Public (the qemu
 * backend's tests read the real VNC socket with it). It speaks over any
 * byte stream: the VNC websocket of the API server, or a unix socket.
 */
import type { Duplex } from 'node:stream';
import { PNG } from 'pngjs';

export interface Framebuffer {
  width: number;
  height: number;
  name: string;
  /** RGBA, 4 bytes a pixel, row by row. */
  rgba: Buffer;
}

/** Reads exact byte counts from a stream (RFB is a sequence of fixed-size fields). */
class ByteReader {
  private chunks: Buffer[] = [];
  private have = 0;
  private waiter: (() => void) | null = null;
  private ended: Error | null = null;

  constructor(stream: Duplex) {
    stream.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.have += c.length;
      this.wake();
    });
    const end = (err?: Error) => {
      this.ended ??= err ?? new Error('the VNC stream ended');
      this.wake();
    };
    stream.on('end', () => end());
    stream.on('close', () => end());
    stream.on('error', end);
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  async read(n: number): Promise<Buffer> {
    while (this.have < n) {
      if (this.ended) throw this.ended;
      await new Promise<void>((r) => (this.waiter = r));
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = [all.subarray(n)];
    this.have -= n;
    return all.subarray(0, n);
  }
}

const SECURITY_NONE = 1;
const MSG = { setPixelFormat: 0, setEncodings: 2, fbUpdateRequest: 3 } as const;
const SERVER = { fbUpdate: 0, colourMap: 1, bell: 2, cutText: 3 } as const;
const ENCODING_RAW = 0;

/** 32 bpp, depth 24, little-endian, true colour, 8 bits a channel: red at bit 16, green 8, blue 0. */
function pixelFormat(): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(32, 0);
  b.writeUInt8(24, 1);
  b.writeUInt8(0, 2); // little-endian
  b.writeUInt8(1, 3); // true colour
  b.writeUInt16BE(255, 4);
  b.writeUInt16BE(255, 6);
  b.writeUInt16BE(255, 8);
  b.writeUInt8(16, 10);
  b.writeUInt8(8, 11);
  b.writeUInt8(0, 12);
  return b;
}

async function reasonText(r: ByteReader): Promise<string> {
  const len = (await r.read(4)).readUInt32BE(0);
  return (await r.read(len)).toString('utf8');
}

/** Handshake (RFC 6143 §7.1–7.3) up to ServerInit; returns the size and desktop name. */
async function handshake(stream: Duplex, r: ByteReader): Promise<{ width: number; height: number; name: string }> {
  const version = (await r.read(12)).toString('latin1');
  if (!/^RFB \d{3}\.\d{3}\n$/.test(version)) throw new Error(`not an RFB server (greeting ${JSON.stringify(version)})`);
  stream.write('RFB 003.008\n');
  const n = (await r.read(1)).readUInt8(0);
  if (n === 0) throw new Error(`the VNC server refused the connection: ${await reasonText(r)}`);
  const types = [...(await r.read(n))];
  if (!types.includes(SECURITY_NONE)) throw new Error(`the VNC server offers no security type None (offers ${types.join(', ')})`);
  stream.write(Buffer.from([SECURITY_NONE]));
  if ((await r.read(4)).readUInt32BE(0) !== 0) throw new Error(`VNC security handshake failed: ${await reasonText(r)}`);
  stream.write(Buffer.from([1])); // ClientInit: shared
  const init = await r.read(20); // width, height, pixel format; the name's length and text follow
  const name = await reasonText(r);
  return { width: init.readUInt16BE(0), height: init.readUInt16BE(2), name };
}

/** Skips one server message that is not a framebuffer update. */
async function skipMessage(type: number, r: ByteReader): Promise<void> {
  if (type === SERVER.bell) return;
  if (type === SERVER.colourMap) {
    const h = await r.read(5);
    await r.read(h.readUInt16BE(3) * 6);
    return;
  }
  if (type === SERVER.cutText) {
    await r.read(3);
    await reasonText(r);
    return;
  }
  throw new Error(`unexpected RFB server message type ${type}`);
}

/** Reads one full frame from an RFB server on `stream`. Leaves the stream open (the caller closes it). */
export async function readFramebuffer(stream: Duplex): Promise<Framebuffer> {
  const r = new ByteReader(stream);
  const { width, height, name } = await handshake(stream, r);
  const fmt = Buffer.alloc(4);
  fmt.writeUInt8(MSG.setPixelFormat, 0);
  stream.write(Buffer.concat([fmt, pixelFormat()]));
  const enc = Buffer.alloc(8);
  enc.writeUInt8(MSG.setEncodings, 0);
  enc.writeUInt16BE(1, 2);
  enc.writeInt32BE(ENCODING_RAW, 4);
  stream.write(enc);
  const req = Buffer.alloc(10);
  req.writeUInt8(MSG.fbUpdateRequest, 0);
  req.writeUInt8(0, 1); // not incremental: the whole screen
  req.writeUInt16BE(width, 6);
  req.writeUInt16BE(height, 8);
  stream.write(req);

  const rgba = Buffer.alloc(width * height * 4);
  let covered = 0;
  while (covered < width * height) {
    const type = (await r.read(1)).readUInt8(0);
    if (type !== SERVER.fbUpdate) {
      await skipMessage(type, r);
      continue;
    }
    const rects = (await r.read(3)).readUInt16BE(1);
    for (let i = 0; i < rects; i++) {
      const h = await r.read(12);
      const [x, y, w, hh, encoding] = [h.readUInt16BE(0), h.readUInt16BE(2), h.readUInt16BE(4), h.readUInt16BE(6), h.readInt32BE(8)];
      if (encoding !== ENCODING_RAW) throw new Error(`the VNC server sent encoding ${encoding}; only Raw (0) was asked for`);
      if (x + w > width || y + hh > height) throw new Error(`the VNC server sent a rectangle outside the screen (${x},${y} ${w}x${hh})`);
      const px = await r.read(w * hh * 4);
      for (let row = 0; row < hh; row++) {
        for (let col = 0; col < w; col++) {
          const s = (row * w + col) * 4;
          const d = ((y + row) * width + x + col) * 4;
          // little-endian 32 bpp with red at bit 16: bytes are B, G, R, unused
          rgba[d] = px[s + 2]!;
          rgba[d + 1] = px[s + 1]!;
          rgba[d + 2] = px[s]!;
          rgba[d + 3] = 255;
        }
      }
      covered += w * hh;
    }
  }
  return { width, height, name, rgba };
}

/** The frame as a PNG file's bytes. */
export function framebufferPng(fb: Framebuffer): Buffer {
  const png = new PNG({ width: fb.width, height: fb.height });
  fb.rgba.copy(png.data);
  return PNG.sync.write(png);
}

/** The number of distinct colours in a frame (1: a blank screen). */
export function distinctColours(fb: Framebuffer, limit = 16): number {
  const seen = new Set<number>();
  for (let i = 0; i < fb.rgba.length && seen.size < limit; i += 4) seen.add(fb.rgba.readUInt32BE(i));
  return seen.size;
}
