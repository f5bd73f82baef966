/**
 * A typed, promise-based QMP client over a unix socket. Internal (backends/qemu).
 *
 * QMP speaks one JSON object per line. After the greeting the client
 * negotiates capabilities (`qmp_capabilities`), then every command carries a
 * numeric `id` and its reply is matched by that id, so commands may overlap
 * and a late reply to a timed-out command is dropped. Asynchronous events are
 * fanned out to listeners. Errors carry QMP's class and description.
 */
import { createConnection, type Socket } from 'node:net';
import { LineSplitter } from '../LineSplitter.ts';
import { CommandError, CommandTimeout } from '../protocolErrors.ts';

/** A QMP event as QEMU sends it. Internal. */
export interface QmpEvent {
  event: string;
  data: Record<string, unknown>;
  timestamp: { seconds: number; microseconds: number };
}

export interface QmpVersion {
  qemu: { major: number; minor: number; micro: number };
  package: string;
}

export type QmpStatus =
  | 'running' | 'paused' | 'shutdown' | 'guest-panicked' | 'postmigrate' | 'inmigrate'
  | 'prelaunch' | 'io-error' | 'internal-error' | 'finish-migrate' | 'restore-vm' | 'suspended'
  | 'watchdog' | 'save-vm' | 'debug' | 'colo';

export interface QmpPciDevice {
  bus: number;
  slot: number;
  function: number;
  qdev_id: string;
  class_info: { class: number; desc?: string };
  id: { device: number; vendor: number };
  pci_bridge?: { bus: { number: number; secondary: number; subordinate: number }; devices?: QmpPciDevice[] };
}

export interface QmpMigrationInfo {
  status?: 'none' | 'setup' | 'cancelling' | 'cancelled' | 'active' | 'postcopy-active' | 'completed' | 'failed' | 'pre-switchover' | 'device' | 'wait-unplug';
  'error-desc'?: string;
  'total-time'?: number;
  downtime?: number;
}

/** The commands this project uses, with their argument and return types. Internal. */
export interface QmpCommands {
  qmp_capabilities: { args: undefined; ret: Record<string, never> };
  'query-version': { args: undefined; ret: QmpVersion };
  'query-status': { args: undefined; ret: { status: QmpStatus; running: boolean } };
  'query-memory-size-summary': { args: undefined; ret: { 'base-memory': number; 'plugged-memory'?: number } };
  'query-cpus-fast': { args: undefined; ret: Array<{ 'cpu-index': number; 'qom-path': string; 'thread-id': number }> };
  'query-pci': { args: undefined; ret: Array<{ bus: number; devices: QmpPciDevice[] }> };
  'query-migrate': { args: undefined; ret: QmpMigrationInfo };
  'query-kvm': { args: undefined; ret: { enabled: boolean; present: boolean } };
  system_powerdown: { args: undefined; ret: Record<string, never> };
  system_reset: { args: undefined; ret: Record<string, never> };
  stop: { args: undefined; ret: Record<string, never> };
  cont: { args: undefined; ret: Record<string, never> };
  quit: { args: undefined; ret: Record<string, never> };
  'migrate-set-capabilities': { args: { capabilities: Array<{ capability: string; state: boolean }> }; ret: Record<string, never> };
  'migrate-set-parameters': { args: Record<string, unknown>; ret: Record<string, never> };
  'migrate-incoming': { args: { uri: string }; ret: Record<string, never> };
  migrate: { args: { uri: string }; ret: Record<string, never> };
  migrate_cancel: { args: undefined; ret: Record<string, never> };
  device_del: { args: { id: string }; ret: Record<string, never> };
  device_add: { args: Record<string, unknown> & { driver: string; id: string }; ret: Record<string, never> };
  netdev_add: { args: Record<string, unknown> & { type: string; id: string }; ret: Record<string, never> };
  netdev_del: { args: { id: string }; ret: Record<string, never> };
  screendump: { args: { filename: string; format?: 'ppm' | 'png' }; ret: Record<string, never> };
}

export type QmpCommandName = keyof QmpCommands;

/** A command the QEMU answered with an error (class + description). Internal. */
export class QmpError extends CommandError {
  constructor(command: string, errorClass: string, desc: string) {
    super('QMP', command, errorClass, desc);
  }
}

/** No reply within the timeout (or no event). Internal. */
export class QmpTimeout extends CommandTimeout {
  constructor(what: string, timeoutMs: number) {
    super('QMP', what, timeoutMs);
  }
}

export class QmpClosed extends Error {
  constructor(what: string) {
    super(`QMP ${what}: connection closed`);
    this.name = 'QmpClosed';
  }
}

interface Pending {
  command: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface QmpConnectOptions {
  /** Budget for connect + greeting + capability negotiation. */
  timeoutMs?: number;
  /** Default per-command timeout. */
  commandTimeoutMs?: number;
}

type Listener = (e: QmpEvent) => void;

/** Internal: a QMP session on one socket. Create with `QmpClient.connect`. */
export class QmpClient {
  #socket: Socket;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #listeners = new Set<Listener>();
  #closed = false;
  #commandTimeoutMs: number;
  /** Resolves when the socket is closed, by either side (QEMU exiting closes it). */
  readonly closed: Promise<void>;
  version: QmpVersion | null = null;

  private constructor(socket: Socket, commandTimeoutMs: number, onGreeting: (g: unknown) => void) {
    this.#socket = socket;
    this.#commandTimeoutMs = commandTimeoutMs;
    const lines = new LineSplitter();
    let greeted = false;
    socket.on('data', (chunk: Buffer) => {
      for (const line of lines.push(chunk)) {
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line.toString('utf8')) as Record<string, unknown>;
        } catch {
          continue; // QMP never sends non-JSON; ignore rather than crash on noise
        }
        if (!greeted && 'QMP' in msg) {
          greeted = true;
          onGreeting(msg['QMP']);
        } else this.#dispatch(msg);
      }
    });
    this.closed = new Promise<void>((resolve) => {
      socket.once('close', () => {
        this.#closed = true;
        for (const [id, p] of this.#pending) {
          clearTimeout(p.timer);
          p.reject(new QmpClosed(p.command));
          this.#pending.delete(id);
        }
        resolve();
      });
    });
    socket.on('error', () => {}); // surfaced through 'close' and the pending commands
  }

  /** Connects, reads the greeting and negotiates capabilities. Throws on failure or timeout. */
  static async connect(path: string, opts: QmpConnectOptions = {}): Promise<QmpClient> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    const socket = createConnection({ path });
    let greeting!: (g: unknown) => void;
    const greeted = new Promise<unknown>((resolve) => (greeting = resolve));
    const client = new QmpClient(socket, opts.commandTimeoutMs ?? 10_000, greeting);
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    try {
      const greeting = await Promise.race([
        greeted,
        client.closed.then(() => {
          throw new Error(`QMP ${path}: connection closed before the greeting`);
        }),
      ]);
      // The greeting carries the version (same shape as query-version): one round trip less per QEMU start.
      client.version = (greeting as { version?: QmpVersion } | null)?.version ?? null;
      await client.execute('qmp_capabilities', undefined, timeoutMs);
      return client;
    } catch (err) {
      socket.destroy();
      if (err instanceof QmpClosed || (err as Error).message.includes('before the greeting')) {
        throw new Error(`QMP ${path}: no greeting within ${timeoutMs} ms or connection refused`, { cause: err });
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Runs a command and resolves with its `return` value; rejects with QmpError / QmpTimeout / QmpClosed. */
  execute<K extends QmpCommandName>(
    command: K,
    ...rest: QmpCommands[K]['args'] extends undefined ? [args?: undefined, timeoutMs?: number] : [args: QmpCommands[K]['args'], timeoutMs?: number]
  ): Promise<QmpCommands[K]['ret']> {
    return this.executeRaw(command, rest[0] as Record<string, unknown> | undefined, rest[1]) as Promise<QmpCommands[K]['ret']>;
  }

  /** Untyped variant for command lists built elsewhere (e.g. hotplug plans). */
  executeRaw(command: string, args?: Record<string, unknown>, timeoutMs = this.#commandTimeoutMs): Promise<unknown> {
    if (this.#closed) return Promise.reject(new QmpClosed(command));
    const id = this.#nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new QmpTimeout(command, timeoutMs));
      }, timeoutMs);
      this.#pending.set(id, { command, resolve, reject, timer });
      const msg = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
      this.#socket.write(`${JSON.stringify(msg)}\n`);
    });
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves with the first event named `name` (and matching `match`) that
   * arrives after this call. Subscribe before sending the command that causes it.
   */
  waitEvent(name: string, timeoutMs: number, match: (data: Record<string, unknown>) => boolean = () => true): Promise<QmpEvent> {
    return new Promise<QmpEvent>((resolve, reject) => {
      let settled = false;
      const done = (): void => {
        settled = true;
        off();
        clearTimeout(timer);
      };
      const off = this.onEvent((e) => {
        if (e.event !== name || !match(e.data)) return;
        done();
        resolve(e);
      });
      const timer = setTimeout(() => {
        done();
        reject(new QmpTimeout(`event ${name}`, timeoutMs));
      }, timeoutMs);
      void this.closed.then(() => {
        if (settled) return;
        done();
        reject(new QmpClosed(`event ${name}`));
      });
    });
  }

  /** Closes the socket; pending commands reject with QmpClosed. Idempotent. */
  async close(): Promise<void> {
    if (!this.#closed) this.#socket.destroy();
    await this.closed;
  }

  #dispatch(msg: Record<string, unknown>): void {
    if (typeof msg['event'] === 'string') {
      const e: QmpEvent = {
        event: msg['event'],
        data: (msg['data'] as Record<string, unknown>) ?? {},
        timestamp: (msg['timestamp'] as QmpEvent['timestamp']) ?? { seconds: 0, microseconds: 0 },
      };
      for (const l of [...this.#listeners]) l(e);
      return;
    }
    const id = msg['id'];
    if (typeof id !== 'number') return;
    const p = this.#pending.get(id);
    if (!p) return; // late reply to a command that timed out
    this.#pending.delete(id);
    clearTimeout(p.timer);
    const error = msg['error'] as { class?: string; desc?: string } | undefined;
    if (error) p.reject(new QmpError(p.command, error.class ?? 'GenericError', error.desc ?? ''));
    else p.resolve(msg['return']);
  }
}
