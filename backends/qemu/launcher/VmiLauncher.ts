/**
 * The supervisor of one VMI's QEMU process (virt-launcher): turns real QMP
 * events, guest-agent answers and the process exit into AgentEvents.
 * Internal (backends/qemu; QemuAgent owns the launchers).
 *
 * - agentConnected(true) when the guest agent opens its channel
 *   (VSERPORT_CHANGE open: KubeVirt's condition is the channel state
 *   `connected`) or answers `guest-ping`, whichever comes first; the poll
 *   stays in flight until the guest's late boot stage is done. (false) when
 *   the guest closes the agent channel or resets (RESET), then the agent is
 *   polled again. Pausing leaves the channel open, as in KubeVirt
 *   (libvirt reports the channel state), so it does not drop the condition.
 * - exited(reason) once the process is gone, the reason taken from what
 *   QEMU said (first SHUTDOWN reason, GUEST_PANICKED) and what was asked of it
 *   (destroy, grace expiry, a kill): see `exitReason`. From QEMU's SHUTDOWN
 *   (or the QMP socket closing) until that report the exit is in flight, so
 *   the agent is not idle while a QEMU that ends on its own is going away.
 *   A QEMU that stays after its SHUTDOWN (`-no-shutdown`: it stops instead)
 *   is quit, as libvirt does.
 * - paused(true/false) from every STOP / RESUME QEMU reports, asked for or
 *   not (a QMP `stop` from elsewhere, a disk error with werror=stop: reason
 *   ioError when a BLOCK_IO_ERROR with action stop came first), except the
 *   ones that belong to a migration or an ACPI fake reboot.
 * - The stop flow (KubeVirt): a shutdown request re-sent every ≤5 s, `quit`
 *   when the grace period expires. As libvirt's `qemuDomainShutdownFlags`,
 *   the request goes through the guest agent (`guest-shutdown`, powerdown)
 *   when it is connected and the guest runs, else the ACPI power button.
 */
import { readFileSync, statSync } from 'node:fs';
import type { AgentEvent, ExitReason, LaunchSpec, PauseReason } from '../../../harness/cluster/index.ts';
import type { QmpEvent } from '../qmp/QmpClient.ts';
import type { RawFacts } from '../facts/guestFacts.ts';
import { QGA_PORT_ID } from '../devices.ts';
import type { QemuProcess } from './QemuProcess.ts';
import { GUEST_BOOT_MS, GUEST_OP_MS, POWER_BUTTON_PERIOD_MS } from '../budgets.ts';

/** What was asked of the launcher that decides how its end is read. */
export type EndIntent = 'none' | 'destroy' | 'graceExpired' | 'killed' | 'handedOver';

export interface ExitFacts {
  intent: EndIntent;
  /** Reason of the first SHUTDOWN event QEMU sent, if any. */
  shutdownReason: string | null;
  panicked: boolean;
}

/**
 * SHUTDOWN reasons that end the VMI on QEMU's own account, whatever we
 * asked. A reset that QEMU turned into a shutdown (`-no-reboot`, `-action
 * reboot=shutdown`: guest-reset, host-qmp-system-reset) is KubeVirt's
 * `rebootPolicy: Terminate` (libvirt on_reboot=destroy): libvirt records a
 * QEMU that exits after a SHUTDOWN event as Shutoff/Shutdown, not Crashed,
 * so the VMI ends Succeeded (docs/kubevirt-reference.md §5).
 */
const OWN_SHUTDOWN: Record<string, ExitReason> = {
  'guest-panic': 'panicked',
  'guest-shutdown': 'guestShutdown',
  'guest-reset': 'guestShutdown',
  'host-qmp-system-reset': 'guestShutdown',
};

/**
 * How a launcher ended. Pure. QEMU's own account wins over our intent when
 * it came first (a guest that completed its ACPI shutdown before the grace
 * period expired shut down, whatever we meant to do next). Returns null for
 * a source whose VMI moved to a migration target.
 */
export function exitReason(f: ExitFacts): ExitReason | null {
  if (f.intent === 'handedOver') return null;
  if (f.intent === 'killed') return 'killed';
  if (f.panicked) return 'panicked';
  const own = f.shutdownReason === null ? undefined : OWN_SHUTDOWN[f.shutdownReason];
  if (own) return own;
  if (f.intent === 'destroy') return 'destroyed';
  if (f.intent === 'graceExpired') return 'graceExpired';
  return 'crashed'; // QEMU died on its own (or from a signal we did not send)
}

/**
 * Whether the firmware log (from the last reset on) says the boot failed.
 * Pure. SeaBIOS prints "No bootable device." when no boot entry worked and,
 * as QEMU configures it (no reboot-timeout: etc/boot-fail-wait -1), then
 * waits for ever: that guest's agent will not come before the next reset
 * (SeaBIOS src/boot.c boot_fail; docs/spec.md R-G6).
 */
export function firmwareGaveUp(log: string): boolean {
  return log.includes('No bootable device');
}

/** The guest's "late boot stage done" wait (guest: exits 0 once /run/vmconform/booted exists, ≤20 s). */
export const WAIT_BOOTED = '/usr/lib/vmconform/wait-booted';

export interface LauncherHooks {
  emit(e: AgentEvent): void;
  /** Registers a piece of in-flight work (for idle()/inFlight()). */
  track<T>(label: string, work: Promise<T>): Promise<T>;
  /** Budget for the guest agent to answer after a (re)boot. */
  agentTimeoutMs: number;
}

/** The live launcher of a VMI, by uid: all that guest operations and observation need of the node agent. */
export interface LiveLaunchers {
  live(uid: string): VmiLauncher | undefined;
}

export class VmiLauncher {
  agentConnected = false;
  paused: boolean;
  intent: EndIntent = 'none';
  shutdownReason: string | null = null;
  panicked = false;
  /** Set while an ACPI fake reboot runs: its SHUTDOWN is not the end of the VMI. */
  fakeReboot = false;
  /** Set while this launcher is the source of a migration: its STOP / RESUME are the migration's, not a pause. */
  migrating = false;
  /** The guest's facts read just before it was paused (observeGuests.ts); null otherwise. */
  frozen: { raw: RawFacts; ports: Map<string, string> } | null = null;
  /** Resolves once the process is gone and its exit was reported (or suppressed). */
  readonly done: Promise<void>;
  #ended = false;
  #agentGen = 0;
  #polling = false;
  #stop: { graceTimer: NodeJS.Timeout; buttonTimer: NodeJS.Timeout; deadline: number } | null = null;
  /** A BLOCK_IO_ERROR with action stop came: the next STOP is QEMU's, for an I/O error. */
  #ioError = false;
  #exitTracked = false;
  /** A guest-agent shutdown request is in flight (the stop flow). */
  #agentShutdown = false;
  /** Where the firmware log of the current boot starts (its size at the last reset). */
  #firmwareLogStart = 0;

  constructor(
    public spec: LaunchSpec,
    readonly proc: QemuProcess,
    private readonly hooks: LauncherHooks,
    startPaused: boolean,
  ) {
    this.paused = startPaused;
    proc.qmp.onEvent((e) => this.#onQmpEvent(e));
    this.done = this.#watchExit();
    void proc.qmp.closed.then(() => this.#trackExit('QEMU closed QMP'));
  }

  get ended(): boolean {
    return this.#ended;
  }

  get label(): string {
    return `vmi ${this.spec.name}`;
  }

  /** Polls guest-ping until it answers (then agentConnected), the guest stops or resets, or the budget runs out. */
  pollAgent(): void {
    if (this.#polling || this.agentConnected || this.#ended || this.paused) return;
    this.#polling = true;
    const gen = this.#agentGen;
    const deadline = Date.now() + this.hooks.agentTimeoutMs;
    const work = (async () => {
      try {
        while (!this.paused && gen === this.#agentGen && Date.now() < deadline) {
          // The firmware found nothing to boot: no agent will answer, do not wait out the budget.
          if (this.bootFailed()) break;
          if (!(await this.proc.reopenQga())) break;
          try {
            await this.proc.qga.ping(Math.min(2000, Math.max(1, deadline - Date.now())));
          } catch {
            continue; // not up yet (QgaTimeout), or an error reply: try again until the deadline
          }
          this.#connected(gen);
          if (this.agentConnected && gen === this.#agentGen) {
            // The agent starts before the guest's late boot stage (drivers, acpid, network): stay
            // in flight until that is done, so that the next command meets a fully booted guest.
            await this.proc.qga.exec(WAIT_BOOTED, [], GUEST_BOOT_MS).catch(() => undefined);
          }
          break;
        }
      } finally {
        this.#polling = false;
      }
      // The guest reset or rebooted while we polled (dropAgent could not start a second poll): poll the new boot.
      if (gen !== this.#agentGen) this.pollAgent();
    })();
    void this.hooks.track(`${this.label}: waiting for the guest agent`, work);
  }

  /** The agent of boot `gen` is there: reported once (not for a migration target that has not taken over yet). */
  #connected(gen: number): void {
    if (gen !== this.#agentGen || this.agentConnected || this.#ended || this.paused || this.intent === 'handedOver') return;
    this.agentConnected = true;
    this.hooks.emit({ type: 'agentConnected', uid: this.spec.uid, connected: true });
  }

  /**
   * What the firmware logged since the last reset says the boot failed: no
   * OS runs, so nothing will answer the agent channel or the ACPI power button.
   */
  bootFailed(): boolean {
    try {
      return firmwareGaveUp(readFileSync(this.proc.paths.firmwareLog).subarray(this.#firmwareLogStart).toString('latin1'));
    } catch {
      return false; // no log (yet): nothing known
    }
  }

  /** Marks the agent gone (reset, reboot, channel closed) and polls again unless paused. */
  dropAgent(): void {
    this.#agentGen++;
    if (this.agentConnected) {
      this.agentConnected = false;
      this.hooks.emit({ type: 'agentConnected', uid: this.spec.uid, connected: false });
    }
    this.pollAgent();
  }

  /**
   * Graceful stop (KubeVirt): power button now and every ≤5 s; `quit` when
   * `graceSeconds` expire; 0 destroys at once. A second call can only
   * shorten the remaining grace.
   */
  stop(graceSeconds: number): void {
    if (this.#ended) return;
    if (graceSeconds <= 0) {
      this.#clearStop();
      if (this.intent === 'none') this.intent = 'destroy';
      void this.hooks.track(`${this.label}: destroying`, this.proc.stop());
      return;
    }
    const deadline = Date.now() + graceSeconds * 1000;
    if (this.#stop && this.#stop.deadline <= deadline) return;
    this.#clearStop();
    const press = (): void => this.#requestShutdown();
    press();
    this.#stop = {
      deadline,
      buttonTimer: setInterval(press, POWER_BUTTON_PERIOD_MS),
      graceTimer: setTimeout(() => {
        this.#clearStop();
        if (this.intent === 'none') this.intent = 'graceExpired';
        void this.proc.stop();
      }, deadline - Date.now()),
    };
    void this.hooks.track(`${this.label}: stopping (grace ${graceSeconds} s)`, this.done);
  }

  /** One shutdown request: through the guest agent when connected (one at a time), else the power button. */
  #requestShutdown(): void {
    if (this.agentConnected && !this.paused) {
      if (this.#agentShutdown) return;
      this.#agentShutdown = true;
      // guest-shutdown has no answer when it works (the guest goes down); a refusal lets the next press retry
      void this.proc.qga.shutdown('powerdown', GUEST_OP_MS).catch(() => undefined).finally(() => (this.#agentShutdown = false));
      return;
    }
    void this.proc.qmp.execute('system_powerdown').catch(() => undefined);
  }

  /** SIGKILL the launcher's process group (fault, node loss). */
  kill(): void {
    if (this.#ended) return;
    if (this.intent === 'none') this.intent = 'killed';
    this.proc.kill();
  }

  #clearStop(): void {
    if (!this.#stop) return;
    clearTimeout(this.#stop.graceTimer);
    clearInterval(this.#stop.buttonTimer);
    this.#stop = null;
  }

  /** Registers the coming exit report as in-flight work (once). */
  #trackExit(why: string): void {
    if (this.#exitTracked || this.#ended) return;
    this.#exitTracked = true;
    void this.hooks.track(`${this.label}: QEMU exiting (${why})`, this.done);
  }

  /** Our view of the vCPUs follows QEMU's STOP / RESUME; the change is reported once. */
  #setPaused(paused: boolean, reason: PauseReason): void {
    if (this.paused === paused || this.#ended) return;
    this.paused = paused;
    this.hooks.emit({ type: 'paused', uid: this.spec.uid, paused, ...(paused && reason !== 'user' ? { reason } : {}) });
    if (!paused) {
      this.frozen = null;
      this.pollAgent();
    }
  }

  /** STOP / RESUME that are not a pause: a migration's, a handed-over source's or target's, a fake reboot's. */
  get #runStateOwnedElsewhere(): boolean {
    return this.fakeReboot || this.migrating || this.intent === 'handedOver';
  }

  #onQmpEvent(e: QmpEvent): void {
    switch (e.event) {
      case 'SHUTDOWN':
        if (this.fakeReboot) break;
        this.shutdownReason ??= String(e.data['reason'] ?? 'unknown');
        this.#trackExit(`SHUTDOWN ${this.shutdownReason}`);
        break;
      case 'GUEST_PANICKED':
        this.panicked = true;
        break;
      case 'BLOCK_IO_ERROR':
        if (e.data['action'] === 'stop') this.#ioError = true;
        break;
      case 'STOP': {
        const ioError = this.#ioError;
        this.#ioError = false;
        if (this.#runStateOwnedElsewhere) break;
        // A QEMU that stops instead of exiting after its SHUTDOWN (-no-shutdown): end it, like libvirt.
        if (this.shutdownReason !== null) void this.proc.stop();
        else this.#setPaused(true, ioError ? 'ioError' : 'user');
        break;
      }
      case 'RESUME':
        if (!this.#runStateOwnedElsewhere) this.#setPaused(false, 'user');
        break;
      case 'RESET':
        this.frozen = null; // a reset guest no longer holds what it said before
        // The new boot's firmware log starts here: an earlier "No bootable device" is not this boot's.
        try {
          this.#firmwareLogStart = statSync(this.proc.paths.firmwareLog).size;
        } catch {
          this.#firmwareLogStart = 0;
        }
        this.dropAgent();
        break;
      case 'VSERPORT_CHANGE':
        if (e.data['id'] !== QGA_PORT_ID) break;
        if (e.data['open'] === false) this.dropAgent();
        else {
          this.pollAgent(); // started first: it keeps the launch in flight until the guest is fully booted
          this.#connected(this.#agentGen);
        }
        break;
    }
  }

  async #watchExit(): Promise<void> {
    await this.proc.exited;
    await this.proc.qmp.closed; // every event QEMU sent before dying has been handled
    this.#ended = true;
    this.#agentGen++;
    this.#clearStop();
    await this.proc.closeSessions();
    const reason = exitReason({ intent: this.intent, shutdownReason: this.shutdownReason, panicked: this.panicked });
    if (reason === 'crashed') {
      // Nobody asked and QEMU said nothing: the observation shows a Failed VMI only, so say what QEMU said.
      const e = await this.proc.exited;
      console.error(`qemu agent: ${this.label}: QEMU ended on its own (exit code ${e.exitCode ?? '-'}, signal ${e.signal ?? '-'}): ${(await this.proc.stderr()).slice(-500) || 'no stderr'}`);
    }
    if (reason) this.hooks.emit({ type: 'exited', uid: this.spec.uid, reason });
  }
}
