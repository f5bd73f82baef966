/**
 * One supervised QEMU process: started by spawnQemu (an argument array, own
 * process group, dies with the thread that started it), with QMP and the
 * guest agent channel connected. Internal (backends/qemu).
 *
 * The launcher only runs what qemuArgs() built. A start that fails (bad
 * binary, bad option, missing image) comes back as an error value whose
 * message names the VMI and quotes QEMU's stderr; nothing is left running.
 */
import type { ResultPromise } from 'execa';
import { readFile, writeFile } from 'node:fs/promises';
import { QgaClient } from '../qga/QgaClient.ts';
import { QmpClient, QmpClosed } from '../qmp/QmpClient.ts';
import { retryUntil } from '../retryUntil.ts';
import { killGroup, processStartTime, type PidRecord } from '../process/processGroups.ts';
import type { RunPaths } from './RunPaths.ts';
import { execFailure, spawnQemu } from '../process/spawnQemu.ts';
import { QMP_CONNECT_MS, QUIT_MS } from '../budgets.ts';

export interface QemuExit {
  exitCode: number | null;
  signal: string | null;
  /** Why the process could not be spawned at all (ENOENT, EACCES), else null. */
  spawnError: string | null;
}

export interface QemuStartOptions {
  binary: string;
  args: string[];
  paths: RunPaths;
  /** Names the VMI in error messages. */
  label: string;
  /** Budget for QEMU to create its sockets and answer QMP. */
  connectTimeoutMs?: number;
}

/** Internal: a running QEMU with its QMP and QGA sessions. */
export class QemuProcess {
  /** Resolves when the process has ended (never rejects). */
  readonly exited: Promise<QemuExit>;
  #ended = false;
  #qga: QgaClient;
  #sessionsClosed = false;

  private constructor(
    readonly pid: number,
    readonly qmp: QmpClient,
    qga: QgaClient,
    readonly paths: RunPaths,
    private readonly child: ResultPromise,
  ) {
    this.#qga = qga;
    this.exited = exitOf(child).then((e) => {
      this.#ended = true;
      return e;
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** The guest agent channel's host end (replaced by reopenQga). */
  get qga(): QgaClient {
    return this.#qga;
  }

  /**
   * Opens the agent channel's host end again when it closed under a live
   * QEMU, as libvirt reconnects its agent socket; QEMU's socket chardev takes
   * a new client once the old one is gone. Seen under load: the connection
   * reset before the guest opened its port (1 in ~10 boots at load 5).
   * False when QEMU ended, the sessions were closed on purpose, or it fails.
   */
  async reopenQga(): Promise<boolean> {
    if (!this.#qga.isClosed) return true;
    if (this.#ended || this.#sessionsClosed) return false;
    try {
      this.#qga = await QgaClient.connect(this.paths.qga);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Starts QEMU and connects QMP and QGA. The run dir must exist (0700).
   * Errors are values: `{ error }` with a message naming the VMI and QEMU's stderr.
   */
  static async start(opts: QemuStartOptions): Promise<{ proc: QemuProcess } | { error: string }> {
    const stderrFile = `${opts.paths.dir}/qemu.stderr`;
    const child = spawnQemu(opts.binary, opts.args, { stderr: { file: stderrFile } });
    let ended: QemuExit | null = null;
    const exited = exitOf(child).then((e) => (ended = e));
    const why = async (): Promise<string> => {
      const e = await exited;
      const stderr = (await readFile(stderrFile, 'utf8').catch(() => '')).trim();
      const detail = e.spawnError ?? execFailure(opts.binary, e.exitCode, stderr) ?? (stderr || `exit code ${e.exitCode ?? '?'}${e.signal ? `, signal ${e.signal}` : ''}`);
      return `vmi ${opts.label}: QEMU (${opts.binary}) failed to start: ${detail}`;
    };
    if (child.pid === undefined) return { error: await why() };
    const pid = child.pid;
    let qmp: QmpClient | null = null;
    try {
      const start = processStartTime(pid);
      if (start) await writeFile(opts.paths.pidFile, JSON.stringify({ pid, startTime: start } satisfies PidRecord), { mode: 0o600 });
      qmp = await retryUntil(() => QmpClient.connect(opts.paths.qmp, { timeoutMs: 2000 }), {
        timeoutMs: opts.connectTimeoutMs ?? QMP_CONNECT_MS,
        what: `vmi ${opts.label}: QMP`,
        giveUp: () => (ended ? 'QEMU exited' : null),
      });
      const qga = await QgaClient.connect(opts.paths.qga);
      return { proc: new QemuProcess(pid, qmp, qga, opts.paths, child) };
    } catch (err) {
      await qmp?.close();
      killGroup(pid);
      if (ended || (await Promise.race([exited.then(() => true), delay(200).then(() => false)]))) return { error: await why() };
      await exited;
      return { error: `vmi ${opts.label}: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  /** SIGKILL the whole process group (the launcher dies). Idempotent. */
  kill(): void {
    if (!this.#ended) killGroup(this.pid);
  }

  /** Ends QEMU: QMP `quit`, SIGKILL if it has not exited within `timeoutMs`. Closes both sessions. */
  async stop(timeoutMs = QUIT_MS): Promise<QemuExit> {
    if (!this.#ended) {
      // A closed connection is QEMU exiting on our quit; anything else (no answer, refused) is not.
      this.qmp.execute('quit', undefined, timeoutMs).catch((err: unknown) => (err instanceof QmpClosed ? undefined : this.kill()));
      const t = setTimeout(() => this.kill(), timeoutMs);
      await this.exited;
      clearTimeout(t);
    }
    await this.closeSessions();
    return this.exited;
  }

  /** Closes the QMP and QGA sessions (after exit, or when handing over). */
  async closeSessions(): Promise<void> {
    this.#sessionsClosed = true;
    await Promise.all([this.qmp.close(), this.#qga.close()]);
  }

  /** QEMU's stderr so far. */
  async stderr(): Promise<string> {
    return (await readFile(`${this.paths.dir}/qemu.stderr`, 'utf8').catch(() => '')).trim();
  }

  /** For tests: the execa subprocess. */
  get subprocess(): ResultPromise {
    return this.child;
  }
}

function exitOf(child: ResultPromise): Promise<QemuExit> {
  return child.then(
    (r) => ({
      exitCode: r.exitCode ?? null,
      signal: r.signal ?? null,
      spawnError: r.failed && r.exitCode === undefined && r.signal === undefined ? (r.originalMessage || r.shortMessage || 'spawn failed') : null,
    }),
    (err: unknown) => ({ exitCode: null, signal: null, spawnError: err instanceof Error ? err.message : String(err) }),
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
