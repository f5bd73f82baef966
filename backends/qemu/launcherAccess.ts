/**
 * Console, VNC and virsh on the real launchers (LauncherAccess,
 * backends/contract.ts). Internal (createQemuBackend hands it to the
 * backend).
 *
 * - console: a connection to the VMI's serial chardev socket (raw bytes
 *   both ways). QEMU serves one client at a time, as virt-launcher's console
 *   does: a second client waits until the first leaves.
 * - vnc: a connection to the VMI's `-vnc unix:` socket (raw RFB).
 * - virsh: the virsh commands of backends/cluster/virsh on the VMI's QEMU
 *   over QMP. Nothing here reports to the cluster core: a QMP `stop` shows
 *   up as QEMU's STOP event, which the launcher reports as a pause nobody
 *   asked for (Paused=PausedByUser); a power button press ends in QEMU's
 *   SHUTDOWN and exit, which ends the VMI per its run strategy — the path
 *   virt-handler takes when libvirt's domain changes behind its back
 *   (pkg/virt-handler/vm.go). The work is registered as in flight, so that
 *   settle waits for the guest's reaction.
 */
import { connect, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import type { LauncherAccess } from '../contract.ts';
import type { ClusterCore } from '../../harness/cluster/index.ts';
import { domainName, domainUuid, DomainError, findVmi, notRunning, runVirsh, type DomainInfo, type DomainState, type VirshDomain } from '../cluster/index.ts';
import type { QmpStatus } from './qmp/QmpClient.ts';
import type { QemuAgent } from './QemuAgent.ts';
import type { VmiLauncher } from './launcher/VmiLauncher.ts';
import { acpiReboot, guestOps, within } from './guestOps.ts';
import { GUEST_OP_MS, GUEST_REACTION_MS } from './budgets.ts';

/** QEMU's run state → libvirt's domain state and reason (libvirt src/qemu/qemu_monitor.c, qemuMonitorVMStatusToPausedReason). */
const STATES: Partial<Record<QmpStatus, [DomainState, string]>> = {
  running: ['running', 'booted'],
  paused: ['paused', 'user'],
  'io-error': ['paused', 'I/O error'],
  'guest-panicked': ['crashed', 'panicked'],
  shutdown: ['in shutdown', 'unknown'],
  inmigrate: ['paused', 'migrating'],
  postmigrate: ['paused', 'migrating'],
  'finish-migrate': ['paused', 'migrating'],
  prelaunch: ['paused', 'starting up'],
};

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const CLOCK_TICKS = 100;

/** The process's CPU time (ns) from /proc, 0 when it cannot be read. */
async function cpuTimeNs(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) / CLOCK_TICKS) * 1e9; // utime, stime (fields 14, 15)
  } catch {
    return 0;
  }
}

function unixStream(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => (s.removeListener('error', reject), resolve(s)));
    s.once('error', reject);
  });
}

/** The domain of one live launcher, as virsh sees it. */
class QemuDomain implements VirshDomain {
  constructor(
    private readonly agent: QemuAgent,
    private readonly l: VmiLauncher,
    private readonly name: string,
    private readonly uuid: string,
  ) {}

  async info(): Promise<DomainInfo> {
    const l = this.l;
    const base = { name: this.name, uuid: this.uuid, vcpus: l.spec.vcpus, maxMemoryKiB: l.spec.memoryMiB * 1024, usedMemoryKiB: l.spec.memoryMiB * 1024 };
    const status = l.ended ? null : await l.proc.qmp.execute('query-status', undefined, GUEST_OP_MS).catch(() => null);
    if (!status) return { ...base, id: null, state: 'shut off', reason: 'shutdown', cpuTimeNs: 0 };
    const [state, reason] = STATES[status.status] ?? ['running', 'unknown'];
    return { ...base, id: 1, state, reason, cpuTimeNs: await cpuTimeNs(l.proc.pid) };
  }

  /** Runs `op` as in-flight work of the agent, so that settle waits for it. */
  private track(what: string, op: Promise<unknown>): Promise<unknown> {
    return this.agent.track(`virsh ${what} ${this.name}`, op);
  }

  private async requireRunning(): Promise<void> {
    if ((await this.info()).state !== 'running') throw new DomainError('Requested operation is not valid: domain is not running');
  }

  async shutdown(): Promise<void> {
    await this.requireRunning();
    // virsh returns once the button is pressed; the guest's reaction stays in flight (pressed again every ≤5 s).
    void this.track('shutdown', guestOps.acpiShutdown(this.agent, this.l.spec.uid));
  }

  async reboot(): Promise<void> {
    await this.requireRunning();
    const l = this.l;
    // libvirt's default reboot is ACPI when the domain has ACPI, else the guest agent (qemuDomainReboot).
    const work = l.spec.acpi ? acpiReboot(l) : l.proc.qga.shutdown('reboot', GUEST_OP_MS).then(() => within(l.proc.qmp.waitEvent('RESET', GUEST_REACTION_MS), GUEST_REACTION_MS));
    void this.track('reboot', work.catch(() => undefined));
  }

  async reset(): Promise<void> {
    await this.track('reset', guestOps.reset(this.agent, this.l.spec.uid));
  }

  async suspend(): Promise<void> {
    await this.track('suspend', guestOps.pause(this.agent, this.l.spec.uid));
  }

  async resume(): Promise<void> {
    await this.track('resume', guestOps.unpause(this.agent, this.l.spec.uid));
  }

  async destroy(): Promise<void> {
    const l = this.l;
    // virt-handler reads a destroyed domain with ACPI as Failed (the grace period ran out), without ACPI as
    // Succeeded (pkg/virt-handler/vm.go calculateVmPhaseForStatusReason): the launcher's exit says which.
    if (l.intent === 'none') l.intent = l.spec.acpi ? 'graceExpired' : 'destroy';
    l.stop(0);
    await this.track('destroy', within(l.done, GUEST_OP_MS));
  }
}

export class QemuLauncherAccess implements LauncherAccess {
  constructor(
    private readonly core: ClusterCore,
    private readonly agent: QemuAgent,
  ) {}

  /** The live launcher of the VMI, or LauncherUnavailable (404 no VMI, 400 not running, 409 Failed). */
  private launcher(namespace: string, vmi: string): { l: VmiLauncher; uuid: string } {
    const obj = findVmi(this.core, namespace, vmi);
    const l = this.agent.live(obj.metadata.uid);
    if (!l) throw notRunning(obj);
    return { l, uuid: domainUuid(obj) };
  }

  async console(namespace: string, vmi: string): Promise<Duplex> {
    return unixStream(this.launcher(namespace, vmi).l.proc.paths.console);
  }

  async vnc(namespace: string, vmi: string): Promise<Duplex> {
    return unixStream(this.launcher(namespace, vmi).l.proc.paths.vnc);
  }

  async virsh(namespace: string, vmi: string, argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const { l, uuid } = this.launcher(namespace, vmi);
    return runVirsh(new QemuDomain(this.agent, l, domainName(namespace, vmi), uuid), argv);
  }
}
