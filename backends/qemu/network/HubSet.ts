/**
 * The L2 segments of a cluster: one SegmentSwitch per
 * NetworkAttachmentDefinition (bridge and SR-IOV NADs alike), started on
 * first use, each on a unix socket in one private run directory. Public
 * (internal to the qemu backend: the node agent owns one HubSet for all
 * nodes, so that a migration target on another node joins the same segment).
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SegmentSwitch } from './SegmentSwitch.ts';

/** sun_path is 108 bytes on Linux, including the terminating NUL. */
const MAX_SOCKET_PATH = 107;

/** The segment switches of a cluster. Public. */
export class HubSet {
  private readonly dir: string;
  private readonly switches = new Map<string, Promise<SegmentSwitch>>();
  private closing: Promise<void> | null = null;

  /** `dir` must be an existing directory with mode 0700 (checked on first use). */
  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * The unix socket of `nad`'s segment; starts its switch on first use.
   * Rejects when the HubSet is closed, the directory is not private, or the
   * socket path would be too long for a unix socket.
   */
  socketFor(nad: string): Promise<string> {
    if (this.closing) return Promise.reject(new Error(`HubSet ${this.dir}: closed, cannot open segment ${nad}`));
    let sw = this.switches.get(nad);
    if (!sw) {
      sw = this.start(nad);
      this.switches.set(nad, sw);
      // A failed start is not cached: the next call reports the error afresh.
      sw.catch(() => this.switches.delete(nad));
    }
    return sw.then((s) => s.path);
  }

  /** NAD names with a running segment. */
  segments(): string[] {
    return [...this.switches.keys()];
  }

  private async start(nad: string): Promise<SegmentSwitch> {
    const info = await stat(this.dir).catch(() => null);
    if (!info?.isDirectory()) throw new Error(`HubSet: run dir ${this.dir} does not exist or is not a directory`);
    if ((info.mode & 0o077) !== 0) {
      throw new Error(`HubSet: run dir ${this.dir} has mode ${(info.mode & 0o777).toString(8)}, sockets need a private 0700 dir`);
    }
    // NAD names may be long and hold any DNS-subdomain character: name the socket by a digest.
    const digest = createHash('sha256').update(nad).digest('hex').slice(0, 12);
    const path = join(this.dir, `seg-${digest}.sock`);
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      throw new Error(`HubSet: socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes; use a shorter run dir`);
    }
    return SegmentSwitch.start({ path });
  }

  /** Closes every switch (disconnecting its clients) and removes the sockets. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const started = await Promise.allSettled(this.switches.values());
      this.switches.clear();
      await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    })();
    return this.closing;
  }
}
