/**
 * The one domain a virt-launcher's libvirt knows, as `virsh` sees it: what
 * the qemu backend reads over QMP and the model backend from its simulated
 * launcher. Public (to backends): each backend implements it; virsh.ts
 * turns virsh's command line into calls on it.
 *
 * Operations carry the action out on the launcher and return; what the
 * cluster makes of it comes back through the node agent's events (a guest
 * that shuts down ends its VMI, a pause shows as Paused=PausedByUser), as
 * virt-handler learns of a domain changed behind its back from libvirt's
 * events (pkg/virt-handler/vm.go).
 */

/** libvirt's domain states as virsh prints them (tools/virsh-domain-monitor.c, virshDomainStateToString). */
export type DomainState = 'running' | 'paused' | 'in shutdown' | 'shut off' | 'crashed';

export interface DomainInfo {
  /** libvirt's domain id while active; null when shut off (virsh prints `-`). */
  id: number | null;
  /** `<namespace>_<vmi name>`, as KubeVirt names its domains (pkg/virt-launcher/virtwrap/api/schema.go VMINamespaceKeyFunc). */
  name: string;
  uuid: string;
  state: DomainState;
  /** The state's reason as virsh prints it (`booted`, `user`, `I/O error` …). */
  reason: string;
  vcpus: number;
  maxMemoryKiB: number;
  usedMemoryKiB: number;
  /** CPU time used so far (ns); 0 when unknown (virsh then omits the line). */
  cpuTimeNs: number;
}

/** An operation libvirt refused; `message` is libvirt's error text (virsh prints `error: <message>`). */
export class DomainError extends Error {}

export interface VirshDomain {
  info(): Promise<DomainInfo>;
  /** ACPI power button (virDomainShutdown). */
  shutdown(): Promise<void>;
  /** Reboot the way libvirt's default does: ACPI when the domain has it, else the guest agent (virDomainReboot). */
  reboot(): Promise<void>;
  /** Hard reset (virDomainReset). */
  reset(): Promise<void>;
  /** Stop the vCPUs (virDomainSuspend). */
  suspend(): Promise<void>;
  /** Resume the vCPUs (virDomainResume). */
  resume(): Promise<void>;
  /** Kill the domain at once (virDomainDestroy). */
  destroy(): Promise<void>;
}
