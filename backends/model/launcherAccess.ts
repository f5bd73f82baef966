/**
 * Console, VNC and virsh on the simulated launchers (LauncherAccess,
 * backends/contract.ts). Internal (createModelBackend hands it to the
 * backend). No I/O: the streams are in memory (simScreens.ts).
 *
 * virsh acts the way it does on QEMU, through the same doors: the ACPI
 * button, reboot and reset go through the core's guest actions (as the
 * qemu backend's QMP commands end in the agent's events); suspend, resume
 * and destroy act on the simulated launcher itself, behind the core's back,
 * and the core learns of them from the agent's events (Paused=PausedByUser,
 * the exit), as virt-handler does (pkg/virt-handler/vm.go).
 */
import type { Duplex } from 'node:stream';
import type { GuestAction, LauncherAccess, Result } from '../contract.ts';
import type { ClusterCore } from '../../harness/cluster/index.ts';
import { domainName, domainUuid, DomainError, findVmi, notRunning, runVirsh, type DomainInfo, type VirshDomain } from '../cluster/index.ts';
import type { SimAgent } from './SimAgent.ts';
import { simConsole, simVnc } from './simScreens.ts';

class SimDomain implements VirshDomain {
  constructor(
    private readonly agent: SimAgent,
    private readonly guest: (a: GuestAction) => Promise<Result>,
    private readonly uid: string,
    private readonly vmi: string,
    private readonly name: string,
    private readonly uuid: string,
  ) {}

  async info(): Promise<DomainInfo> {
    const l = this.agent.launcher(this.uid);
    const mem = (l?.spec.memoryMiB ?? 0) * 1024;
    const base = { name: this.name, uuid: this.uuid, vcpus: l?.spec.vcpus ?? 0, maxMemoryKiB: mem, usedMemoryKiB: mem, cpuTimeNs: 0 };
    if (!l) return { ...base, id: null, state: 'shut off', reason: 'shutdown' };
    return { ...base, id: 1, ...(l.paused ? { state: 'paused', reason: 'user' } : { state: 'running', reason: 'booted' }) };
  }

  private async requireRunning(): Promise<void> {
    if ((await this.info()).state !== 'running') throw new DomainError('Requested operation is not valid: domain is not running');
  }

  private async act(a: GuestAction): Promise<void> {
    const r = await this.guest(a);
    if (!r.ok) throw new DomainError(`Requested operation is not valid: ${r.message}`);
  }

  async shutdown(): Promise<void> {
    await this.requireRunning();
    await this.act({ action: 'acpiShutdown', vmi: this.vmi });
  }

  async reboot(): Promise<void> {
    await this.requireRunning();
    await this.act({ action: 'reboot', vmi: this.vmi });
  }

  async reset(): Promise<void> {
    await this.act({ action: 'reset', vmi: this.vmi });
  }

  async suspend(): Promise<void> {
    if (!this.agent.launcher(this.uid)?.paused) this.agent.perform({ type: 'pause', uid: this.uid });
  }

  async resume(): Promise<void> {
    if (this.agent.launcher(this.uid)?.paused) this.agent.perform({ type: 'unpause', uid: this.uid });
  }

  async destroy(): Promise<void> {
    this.agent.destroyDomain(this.uid);
  }
}

export class ModelLauncherAccess implements LauncherAccess {
  constructor(
    private readonly core: ClusterCore,
    private readonly agent: SimAgent,
    /** The backend's guest verb (core admission, then the agent). */
    private readonly guest: (a: GuestAction) => Promise<Result>,
  ) {}

  private launcher(namespace: string, vmi: string) {
    const obj = findVmi(this.core, namespace, vmi);
    const l = this.agent.launcher(obj.metadata.uid);
    if (!l) throw notRunning(obj);
    return { obj, l };
  }

  async console(namespace: string, vmi: string): Promise<Duplex> {
    const { l } = this.launcher(namespace, vmi);
    return simConsole(l.boot, l.osRuns);
  }

  async vnc(namespace: string, vmi: string): Promise<Duplex> {
    this.launcher(namespace, vmi);
    return simVnc(vmi);
  }

  async virsh(namespace: string, vmi: string, argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const { obj } = this.launcher(namespace, vmi);
    return runVirsh(new SimDomain(this.agent, this.guest, obj.metadata.uid, vmi, domainName(namespace, vmi), domainUuid(obj)), argv);
  }
}
