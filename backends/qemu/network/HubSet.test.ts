import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubSet } from './HubSet.ts';
import { FrameDecoder, encodeFrame } from './streamFraming.ts';

/** A client that speaks QEMU's stream framing, like a `-netdev stream` NIC. */
class Client {
  readonly frames: Buffer[] = [];
  private waiters: (() => void)[] = [];
  private constructor(readonly socket: Socket) {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      this.frames.push(...decoder.push(chunk));
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async open(path: string): Promise<Client> {
    const socket = connect(path);
    await once(socket, 'connect');
    return new Client(socket);
  }
  send(frame: Buffer): void {
    this.socket.write(encodeFrame(frame));
  }
  /** Resolves once `n` frames have arrived in total; rejects after `ms`. */
  async waitFrames(n: number, ms = 2000): Promise<Buffer[]> {
    const deadline = Date.now() + ms;
    while (this.frames.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout: ${this.frames.length}/${n} frames`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
    return this.frames;
  }
  async close(): Promise<void> {
    this.socket.end();
    if (!this.socket.closed) await once(this.socket, 'close');
  }
}

const mac = (last: number): Buffer => Buffer.from([0x52, 0x54, 0, 0, 0, last]);
const BROADCAST = Buffer.alloc(6, 0xff);
/** An Ethernet frame dst|src|ethertype|payload. */
const frame = (dst: Buffer, src: Buffer, payload: string): Buffer =>
  Buffer.concat([dst, src, Buffer.from([0x88, 0xb5]), Buffer.from(payload)]);
const payloads = (frames: Buffer[]): string[] => frames.map((f) => f.subarray(14).toString());

describe('HubSet / SegmentSwitch (bridge and SR-IOV NAD segments)', () => {
  let dir: string;
  let hubs: HubSet;
  const clients: Client[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vmc-hub-'));
    await chmod(dir, 0o700);
    hubs = new HubSet(dir);
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await hubs.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = async (path: string): Promise<Client> => {
    const c = await Client.open(path);
    clients.push(c);
    return c;
  };

  it('forwards broadcast frames with QEMU framing to every other client, not back to the sender', async () => {
    const path = await hubs.socketFor('net-a');
    const [a, b, c] = [await open(path), await open(path), await open(path)];
    a.send(frame(BROADCAST, mac(1), 'hello'));
    expect(payloads(await b.waitFrames(1))).toEqual(['hello']);
    expect(payloads(await c.waitFrames(1))).toEqual(['hello']);
    // A frame from b proves ordering: had a received its own frame, it would come first.
    b.send(frame(BROADCAST, mac(2), 'from-b'));
    expect(payloads(await a.waitFrames(1))).toEqual(['from-b']);
  });

  it('reassembles frames split across writes and several frames in one write', async () => {
    const path = await hubs.socketFor('net-a');
    const [a, b] = [await open(path), await open(path)];
    const wire = Buffer.concat([encodeFrame(frame(BROADCAST, mac(1), 'one')), encodeFrame(frame(BROADCAST, mac(1), 'two'))]);
    a.socket.write(wire.subarray(0, 3));
    a.socket.write(wire.subarray(3, 20));
    a.socket.write(wire.subarray(20));
    expect(payloads(await b.waitFrames(2))).toEqual(['one', 'two']);
  });

  it('learns MACs: unicast to a known MAC reaches only its port', async () => {
    const path = await hubs.socketFor('net-a');
    const [a, b, c] = [await open(path), await open(path), await open(path)];
    b.send(frame(BROADCAST, mac(2), 'b-here'));
    await a.waitFrames(1);
    await c.waitFrames(1);
    a.send(frame(mac(2), mac(1), 'to-b'));
    a.send(frame(BROADCAST, mac(1), 'after'));
    // a's frames are forwarded in order: c seeing 'after' first-hand proves 'to-b' was not flooded.
    expect(payloads(await c.waitFrames(2))).toEqual(['b-here', 'after']);
    expect(payloads(await b.waitFrames(2))).toEqual(['to-b', 'after']);
  });

  it('survives clients disconnecting and new ones connecting (migration target joins while source attached)', async () => {
    const path = await hubs.socketFor('net-a');
    const [a, source] = [await open(path), await open(path)];
    source.send(frame(BROADCAST, mac(9), 'src-up'));
    await a.waitFrames(1);
    const target = await open(path);
    target.send(frame(BROADCAST, mac(9), 'rarp')); // the target announces the migrated MAC
    await a.waitFrames(2);
    await source.close();
    a.send(frame(mac(9), mac(1), 'to-migrated'));
    expect(payloads(await target.waitFrames(1))).toEqual(['to-migrated']);
    // A frame for a MAC whose port left floods instead of vanishing.
    await target.close();
    const late = await open(path);
    a.send(frame(mac(9), mac(1), 'flooded'));
    expect(payloads(await late.waitFrames(1))).toEqual(['flooded']);
  });

  it('drops a client that does not speak the framing, and keeps serving the others', async () => {
    const path = await hubs.socketFor('net-a');
    const [a, b, bad] = [await open(path), await open(path), await open(path)];
    const closed = once(bad.socket, 'close');
    bad.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await closed;
    a.send(frame(BROADCAST, mac(1), 'still-up'));
    expect(payloads(await b.waitFrames(1))).toEqual(['still-up']);
  });

  it('keeps NAD segments apart and reuses one switch per NAD', async () => {
    const [p1, p1again, p2] = await Promise.all([hubs.socketFor('net-a'), hubs.socketFor('net-a'), hubs.socketFor('net-b')]);
    expect(p1again).toBe(p1);
    expect(p2).not.toBe(p1);
    const [a1, a2, b1] = [await open(p1), await open(p1), await open(p2)];
    b1.send(frame(BROADCAST, mac(7), 'on-b'));
    a1.send(frame(BROADCAST, mac(1), 'on-a'));
    expect(payloads(await a2.waitFrames(1))).toEqual(['on-a']);
    a2.send(frame(BROADCAST, mac(2), 'on-a-2'));
    expect(payloads(await a1.waitFrames(1))).toEqual(['on-a-2']);
    expect(b1.frames).toEqual([]);
  });

  it('close() disconnects clients and leaves no socket behind; later use is refused', async () => {
    await hubs.socketFor('net-a');
    const path = await hubs.socketFor('net-b');
    const c = await open(path);
    const closed = once(c.socket, 'close');
    await hubs.close();
    await closed;
    expect(await readdir(dir)).toEqual([]);
    expect(existsSync(path)).toBe(false);
    await hubs.close(); // idempotent
    await expect(hubs.socketFor('net-a')).rejects.toThrow(/closed/);
  });

  it('refuses a run dir that is not private (0700)', async () => {
    await chmod(dir, 0o755);
    await expect(hubs.socketFor('net-a')).rejects.toThrow(/mode 755.*0700/);
    await chmod(dir, 0o700);
    await expect(hubs.socketFor('net-a')).resolves.toMatch(/seg-[0-9a-f]{12}\.sock$/);
  });
});
