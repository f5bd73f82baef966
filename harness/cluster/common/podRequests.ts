/**
 * What a VMI's launcher pod asks of a node: the cpu and memory requests the
 * scheduler fits (docs/spec.md R-SC1). KubeVirt renders them in
 * pkg/virt-controller/services/renderresources.go and template.go
 * (`VMIResourcePredicates`); the harness follows that rule for the parts its
 * VMI specs can express. Internal to the cluster core; pure.
 *
 * - compute container, cpu: the spec's `resources.requests.cpu` (or its
 *   limit, which defaults the request: pkg/defaults `setDefaultResourceRequests`),
 *   else vCPUs / cpuAllocationRatio (`WithoutDedicatedCPU`; ratio 10 by
 *   default, pkg/virt-config `DefaultCPUAllocationRatio`).
 * - compute container, memory: `resources.requests.memory`, else its limit,
 *   else the guest memory (`WithMemoryRequests`, memory overcommit 100 %),
 *   plus the overhead (`WithMemoryOverhead`, unless
 *   `overcommitGuestOverhead`).
 * - the overhead (pkg/hypervisor/kvm/hypervisorbackend.go `GetMemoryOverhead`,
 *   x86_64): page tables (the VMI's own memory request / 512: a spec that
 *   gives only the guest memory has none), 240Mi for the launcher's processes
 *   (monitor 25Mi, launcher 100Mi, virtlogd 25Mi, virtqemud 40Mi, qemu
 *   50Mi), 8Mi per vCPU, 8Mi for the IO thread, 32Mi of video RAM unless
 *   `autoattachGraphicsDevice: false`, 1Gi when a VFIO device (an SR-IOV
 *   interface, a host device or a GPU) locks guest memory
 *   (pkg/vmitrait `HasVFIO`), 53Mi for a TPM's swtpm.
 * - the guest-console-log sidecar (5m, 35M), present unless the serial
 *   console is off or not logged (services/serialconsolelog.go
 *   `isSerialConsoleLogEnabled`; a fresh KubeVirt logs it).
 * - one container per containerDisk volume and one for a kernelBoot image
 *   (1m, 1M each: pkg/container-disk `getMinimalInitContainerDiskResources`).
 */
import { parseQuantity, type VirtualMachineInstanceSpec } from '../../api/index.ts';
import type { PodRequests } from '../store/records.ts';

const Mi = 1024 * 1024;

/** pkg/virt-config `DefaultCPUAllocationRatio`. */
export const DEFAULT_CPU_ALLOCATION_RATIO = 10;

/** The launcher's processes (hypervisorbackend.go constants): monitor, launcher, virtlogd, virtqemud, qemu. */
const PROCESSES_OVERHEAD = (25 + 100 + 25 + 40 + 50) * Mi;
const PER_VCPU_OVERHEAD = 8 * Mi;
const IOTHREAD_OVERHEAD = 8 * Mi;
const VIDEO_RAM_OVERHEAD = 32 * Mi;
const VFIO_OVERHEAD = 1024 * Mi;
const TPM_OVERHEAD = 53 * Mi;

/** The guest-console-log sidecar (serialconsolelog.go `resourcesForSerialConsoleLogContainer`). */
const CONSOLE_LOG = { cpuMilli: 5, memBytes: 35_000_000 };
/** A containerDisk or kernelBoot container (container-disk.go `getMinimalInitContainerDiskResources`). */
const IMAGE_CONTAINER = { cpuMilli: 1, memBytes: 1_000_000 };

/**
 * The device and resource fields read here that the harness's narrow spec
 * type leaves out; manifests carry them (the vendored CRD schema accepts them).
 */
interface Devices {
  interfaces?: readonly { sriov?: unknown }[];
  hostDevices?: readonly unknown[];
  gpus?: readonly unknown[];
  tpm?: unknown;
  autoattachGraphicsDevice?: boolean;
  autoattachSerialConsole?: boolean;
  logSerialConsole?: boolean;
}
const devicesOf = (spec: VirtualMachineInstanceSpec): Devices => spec.domain.devices as Devices;
const overcommitsOverhead = (spec: VirtualMachineInstanceSpec): boolean => (spec.domain.resources as { overcommitGuestOverhead?: boolean } | undefined)?.overcommitGuestOverhead === true;

const bytes = (q: string | number | undefined): number | undefined => (q === undefined ? undefined : parseQuantity(q));

/** resource.Quantity's MilliValue: rounded up. */
const milli = (q: string | number): number => Math.ceil((parseQuantity(q) ?? 0) * 1000);

/** hardware.GetNumberOfVCPUs after KubeVirt's default topology (pkg/defaults `SetDefaultGuestCPUTopology`): the topology, else the cpu limit or request rounded up, at least 1. */
function vcpusOf(spec: VirtualMachineInstanceSpec): number {
  const c = spec.domain.cpu;
  if (c && (c.sockets || c.cores || c.threads)) return (c.sockets || 1) * (c.cores || 1) * (c.threads || 1);
  const r = spec.domain.resources;
  const q = r?.limits?.cpu ?? r?.requests?.cpu;
  return Math.max(1, q === undefined ? 1 : Math.ceil(parseQuantity(q) ?? 1));
}

/** pkg/vmitrait `HasVFIO`. */
function hasVfio(spec: VirtualMachineInstanceSpec): boolean {
  const d = devicesOf(spec);
  return (d.hostDevices?.length ?? 0) > 0 || (d.gpus?.length ?? 0) > 0 || (d.interfaces ?? []).some((i) => i.sriov !== undefined);
}

/** GetMemoryOverhead (x86_64, KVM) for the parts a harness spec can express. */
export function memoryOverheadBytes(spec: VirtualMachineInstanceSpec): number {
  const d = spec.domain;
  const vmiRequest = bytes(d.resources?.requests?.memory) ?? 0;
  // NewScaledQuantity(ScaledValue(Kilo), Kilo), then Set(Value / 512): kilobytes rounded up, then an integer division
  let overhead = Math.floor((Math.ceil(vmiRequest / 1000) * 1000) / 512);
  overhead += PROCESSES_OVERHEAD + PER_VCPU_OVERHEAD * vcpusOf(spec) + IOTHREAD_OVERHEAD;
  const devices = devicesOf(spec);
  if (devices.autoattachGraphicsDevice !== false) overhead += VIDEO_RAM_OVERHEAD;
  if (hasVfio(spec)) overhead += VFIO_OVERHEAD;
  if (devices.tpm) overhead += TPM_OVERHEAD;
  return overhead;
}

/** The launcher pod's cpu and memory requests for a VMI spec (defaults applied). */
export function launcherPodRequests(spec: VirtualMachineInstanceSpec, cpuAllocationRatio = DEFAULT_CPU_ALLOCATION_RATIO): PodRequests {
  const d = spec.domain;
  const r = d.resources;
  const cpuQ = r?.requests?.cpu ?? r?.limits?.cpu;
  let cpuMilli = cpuQ !== undefined ? milli(cpuQ) : Math.ceil((vcpusOf(spec) * 1000) / cpuAllocationRatio);
  const memQ = r?.requests?.memory ?? r?.limits?.memory ?? d.memory?.guest;
  let memBytes = (bytes(memQ) ?? 0) + (overcommitsOverhead(spec) ? 0 : memoryOverheadBytes(spec));
  const devices = devicesOf(spec);
  if (devices.autoattachSerialConsole !== false && devices.logSerialConsole !== false) {
    cpuMilli += CONSOLE_LOG.cpuMilli;
    memBytes += CONSOLE_LOG.memBytes;
  }
  const images = (spec.volumes ?? []).filter((v) => v.containerDisk).length + (d.firmware?.kernelBoot?.container ? 1 : 0);
  cpuMilli += images * IMAGE_CONTAINER.cpuMilli;
  memBytes += images * IMAGE_CONTAINER.memBytes;
  return { cpuMilli, memBytes };
}
