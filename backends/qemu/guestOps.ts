/**
 * Effects on a running VMI, carried out through QMP (hypervisor side) or the
 * guest agent (inside the guest). Internal (QemuAgent's handler table).
 *
 * Each operation waits for the real event that proves it happened (STOP,
 * RESUME, RESET, the process exit) within a bound, so that settle() does not
 * return before the world has moved; the VmiLauncher turns those events into
 * AgentEvents (paused included: a pause is reported from QEMU's STOP whoever
 * asked for it). An operation on a VMI whose launcher is gone does nothing.
 */
import { GUEST_TOOLS } from '../../guest/artefacts.ts';
import { queryPortAddresses, readRawFacts, type RawFacts } from './facts/guestFacts.ts';
import { portId } from './devices.ts';
import { QgaTimeout } from './qga/QgaClient.ts';
import type { LiveLaunchers, VmiLauncher } from './launcher/VmiLauncher.ts';
import { GUEST_OP_MS, GUEST_REACTION_MS, POWER_BUTTON_PERIOD_MS } from './budgets.ts';

/** Resolves true when `p` settles within `ms`, false otherwise. Never rejects. */
export function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.then(
      () => (clearTimeout(t), resolve(true)),
      () => (clearTimeout(t), resolve(true)),
    );
  });
}

/** The guest's facts plus the port → PCI address map, read now. */
export async function snapshot(l: VmiLauncher): Promise<{ raw: RawFacts; ports: Map<string, string> }> {
  const [raw, ports] = await Promise.all([readRawFacts(l.proc.qga, GUEST_OP_MS), queryPortAddresses(l.proc.qmp, GUEST_OP_MS)]);
  return { raw, ports };
}

/** Runs a QMP command that has an event as its proof, subscribing first. Returns false if the event did not come. */
async function qmpWithEvent(l: VmiLauncher, command: 'stop' | 'cont' | 'system_reset', event: string, timeoutMs = GUEST_OP_MS): Promise<boolean> {
  const seen = l.proc.qmp.waitEvent(event, timeoutMs);
  seen.catch(() => undefined);
  try {
    await l.proc.qmp.execute(command);
    await seen;
    return true;
  } catch {
    return false; // the process died meanwhile, or QEMU refused: its exit (if any) is reported by the launcher
  }
}

/** A guest-agent action that ends with a guest RESET (reboot) or the process exit (poweroff, panic). */
async function viaAgent(l: VmiLauncher, act: () => Promise<unknown>, proof: 'reset' | 'exit'): Promise<void> {
  const reset = l.proc.qmp.waitEvent('RESET', GUEST_REACTION_MS);
  reset.catch(() => undefined);
  try {
    await act();
  } catch (err) {
    // Only a refusal (the agent answered with an error) means nothing happens in the guest. No
    // answer does not: on a loaded TCG host the request may reach the guest after we gave up, and a
    // guest that panics or powers off at once closes the channel before it answers. Wait for the proof.
    if (!(err instanceof QgaTimeout)) return;
  }
  await within(proof === 'reset' ? reset : l.done, GUEST_REACTION_MS);
}

/** ACPI reboot without a guest agent (libvirt's "fake reboot"): power button with shutdown=pause, then reset + cont. Internal (also virsh reboot, launcherAccess.ts). */
export async function acpiReboot(l: VmiLauncher): Promise<void> {
  // SeaBIOS gave up (no bootable device): no OS handles the button, the press changes nothing.
  if (l.bootFailed()) return;
  const qmp = l.proc.qmp;
  l.fakeReboot = true;
  try {
    await qmp.executeRaw('set-action', { shutdown: 'pause' });
    const down = qmp.waitEvent('SHUTDOWN', GUEST_REACTION_MS);
    down.catch(() => undefined);
    await qmp.execute('system_powerdown');
    if (!(await within(down, GUEST_REACTION_MS)) || l.ended) return;
    await qmpWithEvent(l, 'system_reset', 'RESET');
    await qmpWithEvent(l, 'cont', 'RESUME');
  } catch {
    // the process died meanwhile: reported by the launcher
  } finally {
    l.fakeReboot = false;
    await qmp.executeRaw('set-action', { shutdown: 'poweroff' }).catch(() => undefined);
  }
}

export const guestOps = {
  async pause(launchers: LiveLaunchers, uid: string): Promise<void> {
    const l = launchers.live(uid);
    if (!l || l.paused) return;
    // What the guest says now stays true while its vCPUs are stopped (observeGuests.ts).
    l.frozen = l.agentConnected ? await snapshot(l).catch(() => null) : null;
    // The launcher reports the pause from QEMU's STOP (VmiLauncher), like a pause nobody asked for.
    if (!(await qmpWithEvent(l, 'stop', 'STOP'))) l.frozen = null;
  },

  async unpause(launchers: LiveLaunchers, uid: string): Promise<void> {
    const l = launchers.live(uid);
    if (!l || !l.paused) return;
    await qmpWithEvent(l, 'cont', 'RESUME'); // reported by the launcher from RESUME
  },

  async reset(launchers: LiveLaunchers, uid: string): Promise<void> {
    const l = launchers.live(uid);
    if (l) await qmpWithEvent(l, 'system_reset', 'RESET');
  },

  async softReboot(launchers: LiveLaunchers, uid: string): Promise<void> {
    const l = launchers.live(uid);
    if (!l || l.paused) return;
    if (l.agentConnected) await viaAgent(l, () => l.proc.qga.shutdown('reboot', GUEST_OP_MS), 'reset');
    else await acpiReboot(l);
  },

  async acpiShutdown(launchers: LiveLaunchers, uid: string): Promise<void> {
    const l = launchers.live(uid);
    // A paused guest, one without ACPI or one whose firmware found nothing to boot cannot handle
    // the button: nothing happens (as in the model).
    if (!l || l.paused || !l.spec.acpi || l.bootFailed()) return;
    // Pressed again every ≤5 s like the stop flow: a guest whose acpid is not up yet (the vmconform
    // guest starts it just after its agent) loses a single press.
    const press = (): void => void l.proc.qmp.execute('system_powerdown').catch(() => undefined);
    press();
    const again = setInterval(press, POWER_BUTTON_PERIOD_MS);
    await within(l.done, GUEST_REACTION_MS);
    clearInterval(again);
  },

  async guestPoweroff(launchers: LiveLaunchers, uid: string): Promise<void> {
    const l = launchers.live(uid);
    if (l) await viaAgent(l, () => l.proc.qga.shutdown('powerdown', GUEST_OP_MS), 'exit');
  },

  async guestReboot(launchers: LiveLaunchers, uid: string): Promise<void> {
    const l = launchers.live(uid);
    if (l) await viaAgent(l, () => l.proc.qga.shutdown('reboot', GUEST_OP_MS), 'reset');
  },

  async guestPanic(launchers: LiveLaunchers, uid: string): Promise<void> {
    const l = launchers.live(uid);
    // guest-exec answers with a pid before the shell runs; the kernel panics right after (pvpanic → GUEST_PANICKED).
    if (l) await viaAgent(l, () => l.proc.qga.execute('guest-exec', { path: '/bin/sh', arg: ['-c', 'echo c > /proc/sysrq-trigger'] }, GUEST_OP_MS), 'exit');
  },

  async writeData(launchers: LiveLaunchers, uid: string, disk: string, token: string): Promise<void> {
    const l = launchers.live(uid);
    if (!l || l.paused) return;
    try {
      const { raw, ports } = await snapshot(l);
      const addr = ports.get(portId.disk(disk));
      const dev = raw.disks.find((d) => d.pci === addr)?.dev;
      if (!dev) return; // the guest does not show the disk: nothing to write to
      // A read-only device refuses the write inside the guest: the token stays unwritten, as on a real VM.
      await l.proc.qga.exec(GUEST_TOOLS.token, ['write', dev, token], GUEST_OP_MS);
    } catch {
      // agent gone mid-way (guest rebooting): the write did not happen
    }
  },
};
