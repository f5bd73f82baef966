/**
 * A typed, promise-based QEMU guest agent (QGA) client over the host end of
 * the virtio-serial channel (a unix socket). Internal (backends/qemu).
 *
 * The channel is a byte pipe that outlives guest reboots, so a reply may be
 * stale (meant for a command sent before a reboot or a timeout). The client
 * therefore (1) synchronises with `guest-sync-delimited`: it sends 0xFF (the
 * agent resets its parser) and a fresh id, re-sent every `syncIntervalMs`
 * until that id comes back after the agent's own 0xFF, dropping everything
 * before; (2) tags every command with a top-level `id` and drops replies with
 * another id; (3) runs one command at a time and re-synchronises after any
 * timeout.
 */
import { createConnection, type Socket } from 'node:net';
import { LineSplitter } from '../LineSplitter.ts';
import { CommandError, CommandTimeout } from '../protocolErrors.ts';

export interface QgaOsInfo {
  id?: string;
  name?: string;
  'pretty-name'?: string;
  version?: string;
  'version-id'?: string;
  'kernel-release'?: string;
  'kernel-version'?: string;
  machine?: string;
}

export interface QgaInterface {
  name: string;
  'hardware-address'?: string;
  'ip-addresses'?: Array<{ 'ip-address-type': 'ipv4' | 'ipv6'; 'ip-address': string; prefix: number }>;
}

export interface QgaExecStatus {
  exited: boolean;
  exitcode?: number;
  signal?: number;
  'out-data'?: string;
  'err-data'?: string;
  'out-truncated'?: boolean;
  'err-truncated'?: boolean;
}

/** The commands this project uses, with their argument and return types. Internal. */
export interface QgaCommands {
  'guest-ping': { args: undefined; ret: Record<string, never> };
  'guest-info': { args: undefined; ret: { version: string; supported_commands: Array<{ name: string; enabled: boolean }> } };
  'guest-get-osinfo': { args: undefined; ret: QgaOsInfo };
  'guest-get-vcpus': { args: undefined; ret: Array<{ 'logical-id': number; online: boolean }> };
  'guest-network-get-interfaces': { args: undefined; ret: QgaInterface[] };
  'guest-exec': { args: { path: string; arg?: string[]; env?: string[]; 'input-data'?: string; 'capture-output'?: boolean }; ret: { pid: number } };
  'guest-exec-status': { args: { pid: number }; ret: QgaExecStatus };
  'guest-file-open': { args: { path: string; mode?: string }; ret: number };
  'guest-file-read': { args: { handle: number; count?: number }; ret: { count: number; 'buf-b64': string; eof: boolean } };
  'guest-file-write': { args: { handle: number; 'buf-b64': string; count?: number }; ret: { count: number; eof: boolean } };
  'guest-file-close': { args: { handle: number }; ret: Record<string, never> };
}

export type QgaCommandName = keyof QgaCommands;

/** A command the agent answered with an error (class + description). Internal. */
export class QgaError extends CommandError {
  constructor(command: string, errorClass: string, desc: string) {
    super('QGA', command, errorClass, desc);
  }
}

/** No reply within the timeout (guest down, paused, rebooting), or the channel closed. Internal. */
export class QgaTimeout extends CommandTimeout {
  constructor(what: string, timeoutMs: number) {
    super('QGA', what, timeoutMs);
  }
}

export interface ExecResult {
  exitCode: number | null;
  signal: number | null;
  stdout: string;
  stderr: string;
}

interface Waiter {
  id: string;
  resolve(msg: Record<string, unknown>): void;
}

/** Internal: a QGA session on one socket. Create with `QgaClient.connect`. */
/** guest-exec-status is polled after 5 ms, then twice as long each time up to EXEC_POLL_MAX_MS. Internal. */
export const EXEC_POLL_FIRST_MS = 5;
/**
 * The longest gap between two polls. The facts tool takes ~0.4 s under TCG;
 * with gaps of up to 100 ms an observation waited ~50 ms on average after the
 * tool had exited. A poll costs the agent a few ms (observe median ~450 →
 * ~405 ms, 24 observations each, docs/qemu-notes.md §2).
 */
export const EXEC_POLL_MAX_MS = 20;

/** The gap after `delay`. Pure. Internal. */
export function nextExecPoll(delay: number): number {
  return Math.min(delay * 2, EXEC_POLL_MAX_MS);
}

export class QgaClient {
  #socket: Socket;
  #lines = new LineSplitter();
  #waiter: Waiter | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #synced = false;
  #seq = 0;
  #closed = false;
  readonly closed: Promise<void>;
  /** Re-send period of guest-sync-delimited while the agent does not answer. */
  syncIntervalMs = 500;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#closed = true;
        resolve();
      }),
    );
  }

  /** Opens the host end of the channel. Does not talk to the guest yet. */
  static connect(path: string, timeoutMs = 5000): Promise<QgaClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`QGA ${path}: connect timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`QGA ${path}: ${err.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new QgaClient(socket));
      });
    });
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Synchronises with the agent (see the module comment). Throws QgaTimeout. */
  sync(timeoutMs: number): Promise<void> {
    return this.#serial(() => this.#sync(timeoutMs));
  }

  /** Waits until the agent answers `guest-ping` (synchronising first). */
  async ping(timeoutMs: number): Promise<void> {
    await this.execute('guest-ping', undefined, timeoutMs);
  }

  /** Runs a command (synchronising first when needed); rejects with QgaError / QgaTimeout. */
  execute<K extends QgaCommandName>(command: K, args: QgaCommands[K]['args'], timeoutMs: number): Promise<QgaCommands[K]['ret']> {
    return this.#serial(async () => {
      const deadline = Date.now() + timeoutMs;
      if (!this.#synced) await this.#sync(timeoutMs);
      return (await this.#command(command, args, Math.max(1, deadline - Date.now()))) as QgaCommands[K]['ret'];
    });
  }

  /**
   * `guest-shutdown` (mode powerdown | reboot | halt): the agent answers only
   * on error, so success is "no error within `graceMs`".
   */
  shutdown(mode: 'powerdown' | 'reboot' | 'halt', timeoutMs: number, graceMs = 500): Promise<void> {
    return this.#serial(async () => {
      if (!this.#synced) await this.#sync(timeoutMs);
      try {
        await this.#command('guest-shutdown', { mode }, graceMs);
      } catch (err) {
        if (!(err instanceof QgaTimeout)) throw err;
      }
      this.#synced = false;
    });
  }

  /** guest-exec + guest-exec-status polling (every ≤ EXEC_POLL_MAX_MS); output decoded from base64 as UTF-8. */
  async exec(path: string, args: string[], timeoutMs: number, input?: string): Promise<ExecResult> {
    const deadline = Date.now() + timeoutMs;
    const left = (): number => Math.max(1, deadline - Date.now());
    const execArgs: QgaCommands['guest-exec']['args'] = { path, arg: args, 'capture-output': true };
    if (input !== undefined) execArgs['input-data'] = Buffer.from(input).toString('base64');
    const { pid } = await this.execute('guest-exec', execArgs, left());
    for (let delay = EXEC_POLL_FIRST_MS; ; delay = nextExecPoll(delay)) {
      const st = await this.execute('guest-exec-status', { pid }, left());
      if (st.exited) {
        return {
          exitCode: st.exitcode ?? null,
          signal: st.signal ?? null,
          stdout: Buffer.from(st['out-data'] ?? '', 'base64').toString('utf8'),
          stderr: Buffer.from(st['err-data'] ?? '', 'base64').toString('utf8'),
        };
      }
      if (Date.now() + delay > deadline) throw new QgaTimeout(`guest-exec ${path}`, timeoutMs);
      await new Promise((r) => setTimeout(r, delay)); // the agent has no completion event: poll
    }
  }

  /** Reads a whole guest file with guest-file-open/read/close. */
  async readFile(path: string, timeoutMs: number): Promise<Buffer> {
    const handle = await this.execute('guest-file-open', { path, mode: 'r' }, timeoutMs);
    try {
      const parts: Buffer[] = [];
      for (;;) {
        const r = await this.execute('guest-file-read', { handle, count: 65536 }, timeoutMs);
        parts.push(Buffer.from(r['buf-b64'], 'base64'));
        if (r.eof || r.count === 0) return Buffer.concat(parts);
      }
    } finally {
      await this.execute('guest-file-close', { handle }, timeoutMs);
    }
  }

  /** Writes (truncates) a guest file with guest-file-open/write/close. */
  async writeFile(path: string, data: Buffer | string, timeoutMs: number): Promise<void> {
    const handle = await this.execute('guest-file-open', { path, mode: 'w' }, timeoutMs);
    try {
      await this.execute('guest-file-write', { handle, 'buf-b64': Buffer.from(data).toString('base64') }, timeoutMs);
    } finally {
      await this.execute('guest-file-close', { handle }, timeoutMs);
    }
  }

  /** Closes the host end. Idempotent. */
  async close(): Promise<void> {
    this.#socket.destroy();
    await this.closed;
  }

  // -------------------------------------------------------------------------

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(op, op);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #sync(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#closed) throw new QgaTimeout('guest-sync-delimited (channel closed)', timeoutMs);
      const token = Math.floor(Math.random() * 2 ** 31);
      const wait = Math.min(this.syncIntervalMs, deadline - Date.now());
      if (wait <= 0) throw new QgaTimeout('guest-sync-delimited', timeoutMs);
      this.#socket.write(Buffer.from([0xff]));
      try {
        const reply = await this.#send(`sync-${++this.#seq}`, 'guest-sync-delimited', { id: token }, wait);
        if (reply['return'] === token) {
          this.#synced = true;
          return;
        }
      } catch (err) {
        if (!(err instanceof QgaTimeout)) throw err;
      }
    }
  }

  async #command(command: string, args: unknown, timeoutMs: number): Promise<unknown> {
    let reply: Record<string, unknown>;
    try {
      reply = await this.#send(`c-${++this.#seq}`, command, args, timeoutMs);
    } catch (err) {
      this.#synced = false; // a late reply may still come: re-sync before the next command
      throw err;
    }
    const error = reply['error'] as { class?: string; desc?: string } | undefined;
    if (error) throw new QgaError(command, error.class ?? 'GenericError', error.desc ?? '');
    return reply['return'];
  }

  #send(id: string, command: string, args: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new QgaTimeout(`${command} (channel closed)`, timeoutMs));
      const giveUp = (why: string): void => {
        clearTimeout(timer);
        this.#waiter = null;
        reject(new QgaTimeout(`${command}${why}`, timeoutMs));
      };
      const timer = setTimeout(() => giveUp(''), timeoutMs);
      void this.closed.then(() => {
        if (this.#waiter?.id === id) giveUp(' (channel closed)');
      });
      this.#waiter = {
        id,
        resolve: (msg) => {
          clearTimeout(timer);
          this.#waiter = null;
          resolve(msg);
        },
      };
      const msg = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
      this.#socket.write(`${JSON.stringify(msg)}\n`);
    });
  }

  #onData(chunk: Buffer): void {
    // The agent's 0xFF marks a fresh start: drop everything before it.
    const mark = chunk.lastIndexOf(0xff);
    if (mark !== -1) {
      this.#lines.reset();
      chunk = chunk.subarray(mark + 1);
    }
    for (const line of this.#lines.push(chunk)) {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line.toString('utf8')) as Record<string, unknown>;
      } catch {
        continue; // garbage from a half-written stale reply
      }
      const w = this.#waiter;
      if (w && msg['id'] === w.id) w.resolve(msg);
      // anything else is a stale reply: dropped
    }
  }
}
