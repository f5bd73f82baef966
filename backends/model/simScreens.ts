/**
 * The simulated launcher's serial console and VNC display: in-memory byte
 * streams (node:stream, no I/O), so that console and VNC clients work on the
 * model backend as on QEMU. Internal (launcherAccess.ts).
 *
 * - Console: the line the real guest writes on ttyS0 once it is up
 *   (guest/README.md: `vmconform-ready boot_id=<uuid>`), with a boot id
 *   derived from the simulated boot number; the guest runs no getty on its
 *   serial port, so typed bytes are read and dropped, as on QEMU.
 * - VNC: an RFB 3.8 server (RFC 6143): security type None, any 32-bit
 *   true-colour pixel format, Raw encoding, a fixed non-blank picture (a
 *   dark screen with a lighter text band where the guest's console lines
 *   would be).
 */
import { Duplex, PassThrough } from 'node:stream';

/** The client's end of an in-memory connection: writes go to `toServer`, reads come from `fromServer`. */
class ClientEnd extends Duplex {
  constructor(
    private readonly toServer: PassThrough,
    private readonly fromServer: PassThrough,
  ) {
    super();
    fromServer.on('data', (c: Buffer) => {
      if (!this.push(c)) fromServer.pause();
    });
    fromServer.on('end', () => this.push(null));
    fromServer.on('error', (err) => this.destroy(err));
    toServer.on('error', () => undefined); // the client end was destroyed: nothing more to say
  }

  override _read(): void {
    this.fromServer.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.toServer.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.toServer.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.toServer.destroy();
    this.fromServer.destroy();
    cb(err);
  }
}

/** A connected pair: what `serve` writes the client reads, and back. */
function pair(serve: (fromClient: PassThrough, toClient: PassThrough) => void): Duplex {
  const fromClient = new PassThrough();
  const toClient = new PassThrough();
  serve(fromClient, toClient);
  return new ClientEnd(fromClient, toClient);
}

/** A UUID-shaped boot id for simulated boot `n` (the real guest reads /proc/sys/kernel/random/boot_id). */
export function simBootId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** The serial console of a guest in boot `boot` whose OS runs (or not: then it is silent). */
export function simConsole(boot: number, osRuns: boolean): Duplex {
  return pair((fromClient, toClient) => {
    fromClient.resume(); // no getty on ttyS0: input is dropped
    if (osRuns) toClient.write(`vmconform-ready boot_id=${simBootId(boot)}\r\n`);
  });
}

const WIDTH = 640;
const HEIGHT = 400;

/** The picture: RGB per pixel. */
function pixel(x: number, y: number): [number, number, number] {
  const inBand = y >= 16 && y < 32 && x >= 8 && x < 8 + 8 * 48;
  return inBand ? [0xaa, 0xaa, 0xaa] : [0, 0, 0x20];
}

interface PixelFormat {
  bigEndian: boolean;
  shifts: [number, number, number];
  max: [number, number, number];
}

function encode(fmt: PixelFormat, x: number, y: number, w: number, h: number): Buffer {
  const out = Buffer.alloc(w * h * 4);
  for (let row = 0; row < h; row++) {
    for (let col = 0; col < w; col++) {
      const rgb = pixel(x + col, y + row);
      let v = 0;
      for (let i = 0; i < 3; i++) v |= Math.round((rgb[i]! * fmt.max[i]!) / 255) << fmt.shifts[i]!;
      const at = (row * w + col) * 4;
      if (fmt.bigEndian) out.writeUInt32BE(v >>> 0, at);
      else out.writeUInt32LE(v >>> 0, at);
    }
  }
  return out;
}

/** A byte reader over the client's stream (RFB messages have fixed sizes). */
function reader(s: PassThrough): (n: number) => Promise<Buffer | null> {
  let buf = Buffer.alloc(0);
  let ended = false;
  let wake: (() => void) | null = null;
  s.on('data', (c: Buffer) => ((buf = Buffer.concat([buf, c])), wake?.()));
  s.on('end', () => ((ended = true), wake?.()));
  s.on('close', () => ((ended = true), wake?.()));
  return async (n) => {
    while (buf.length < n) {
      if (ended) return null;
      await new Promise<void>((r) => (wake = r));
      wake = null;
    }
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
}

/** The VNC display of a guest called `name`. */
export function simVnc(name: string): Duplex {
  return pair((fromClient, toClient) => {
    const read = reader(fromClient);
    const send = (b: Buffer): void => void (toClient.writable && toClient.write(b));
    void (async () => {
      send(Buffer.from('RFB 003.008\n'));
      if (!(await read(12))) return;
      send(Buffer.from([1, 1])); // one security type: None
      if (!(await read(1))) return;
      send(Buffer.alloc(4)); // SecurityResult OK
      if (!(await read(1))) return; // ClientInit
      const fmt: PixelFormat = { bigEndian: false, shifts: [16, 8, 0], max: [255, 255, 255] };
      const init = Buffer.alloc(24);
      init.writeUInt16BE(WIDTH, 0);
      init.writeUInt16BE(HEIGHT, 2);
      Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]).copy(init, 4);
      const n = Buffer.from(name);
      init.writeUInt32BE(n.length, 20);
      send(Buffer.concat([init, n]));
      for (;;) {
        const t = await read(1);
        if (!t) return;
        switch (t[0]) {
          case 0: {
            const m = await read(19);
            if (!m) return;
            if (m[3] !== 32 || m[6] !== 1) return void toClient.destroy(new Error('the simulated VNC server serves 32-bit true colour only'));
            Object.assign(fmt, { bigEndian: m[5] !== 0, max: [m.readUInt16BE(7), m.readUInt16BE(9), m.readUInt16BE(11)], shifts: [m[13]!, m[14]!, m[15]!] });
            break;
          }
          case 2: {
            const h = await read(3);
            if (!h || !(await read(h.readUInt16BE(1) * 4))) return;
            break;
          }
          case 3: {
            const r = await read(9);
            if (!r) return;
            const [x, y, w, h] = [r.readUInt16BE(1), r.readUInt16BE(3), Math.min(r.readUInt16BE(5), WIDTH), Math.min(r.readUInt16BE(7), HEIGHT)];
            const head = Buffer.alloc(16);
            head.writeUInt16BE(1, 2);
            head.writeUInt16BE(x, 4);
            head.writeUInt16BE(y, 6);
            head.writeUInt16BE(Math.max(0, Math.min(w, WIDTH - x)), 8);
            head.writeUInt16BE(Math.max(0, Math.min(h, HEIGHT - y)), 10);
            send(Buffer.concat([head, encode(fmt, x, y, head.readUInt16BE(8), head.readUInt16BE(10))]));
            break;
          }
          case 4:
            if (!(await read(7))) return;
            break;
          case 5:
            if (!(await read(5))) return;
            break;
          case 6: {
            const h = await read(7);
            if (!h || !(await read(h.readUInt32BE(3)))) return;
            break;
          }
          default:
            return void toClient.destroy(new Error(`unknown RFB client message ${t[0]}`));
        }
      }
    })();
  });
}
