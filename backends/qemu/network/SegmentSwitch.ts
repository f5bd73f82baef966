/**
 * One L2 segment: a small learning Ethernet switch on a unix stream socket
 * that QEMU `-netdev stream,server=off,addr.type=unix` clients connect to.
 * Public (internal to the qemu backend; HubSet owns the instances).
 *
 * Why not `-netdev socket,mcast=`: the host may send traffic only to loopback
 * or unix sockets, never to multicast addresses.
 *
 * Forwarding: a frame to a unicast MAC learned on another port goes to that
 * port only; broadcast, multicast and unknown unicast flood to every other
 * port. A MAC moves to the port it was last seen on (a migrated guest's
 * target announces itself with RARP), and a port's MACs are forgotten when it
 * disconnects, so clients may come and go at any time (a migration target
 * connects while the source is still attached). A port whose unsent backlog
 * exceeds `maxBacklogBytes` drops frames, like a congested switch port.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';
import { FrameDecoder, encodeFrame } from './streamFraming.ts';

/** Options of a segment switch. Public. */
export interface SegmentSwitchOptions {
  /** Unix socket path to listen on (in a private 0700 directory). */
  path: string;
  /** Per-port unsent bytes above which frames to that port are dropped. */
  maxBacklogBytes?: number;
}

const ETHER_HEADER_BYTES = 14;

const macKey = (frame: Buffer, offset: number): string => frame.subarray(offset, offset + 6).toString('hex');
/** Group bit of the first octet: broadcast and multicast. */
const isGroup = (frame: Buffer): boolean => ((frame[0] ?? 0) & 1) === 1;

/** A running segment switch. Public. */
export class SegmentSwitch {
  readonly path: string;
  private readonly server: Server;
  private readonly ports = new Set<Socket>();
  private readonly macTable = new Map<string, Socket>();
  private readonly maxBacklog: number;
  private closed = false;

  private constructor(options: SegmentSwitchOptions, server: Server) {
    this.path = options.path;
    this.server = server;
    this.maxBacklog = options.maxBacklogBytes ?? 4 * 1024 * 1024;
    server.on('connection', (socket) => this.attach(socket));
  }

  /** Starts a switch listening on `options.path`. Rejects when the path cannot be bound. */
  static async start(options: SegmentSwitchOptions): Promise<SegmentSwitch> {
    const server = createServer();
    const sw = new SegmentSwitch(options, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return sw;
  }

  /** Number of connected clients. */
  get connections(): number {
    return this.ports.size;
  }

  private attach(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.ports.add(socket);
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch {
        socket.destroy(); // not QEMU framing: drop the client, keep the segment
        return;
      }
      for (const frame of frames) this.forward(socket, frame);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.detach(socket));
  }

  private detach(socket: Socket): void {
    this.ports.delete(socket);
    for (const [mac, port] of this.macTable) if (port === socket) this.macTable.delete(mac);
  }

  private forward(from: Socket, frame: Buffer): void {
    if (frame.length < ETHER_HEADER_BYTES) return;
    if (!isGroup(frame.subarray(6))) this.macTable.set(macKey(frame, 6), from);
    const known = isGroup(frame) ? undefined : this.macTable.get(macKey(frame, 0));
    const wire = encodeFrame(frame);
    if (known) {
      if (known !== from) this.send(known, wire);
      return;
    }
    for (const port of this.ports) if (port !== from) this.send(port, wire);
  }

  private send(port: Socket, wire: Buffer): void {
    if (port.destroyed || port.writableLength > this.maxBacklog) return;
    port.write(wire);
  }

  /** Disconnects every client, stops listening and removes the socket file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const port of this.ports) port.destroy();
    await stopped;
    // server.close() unlinks the path on Linux; rm keeps close() correct if it did not.
    await rm(this.path, { force: true });
  }
}
