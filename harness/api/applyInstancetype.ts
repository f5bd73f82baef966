/**
 * Instance type and preference expansion (R-I1): the instancetype fills
 * vCPUs and guest memory, the preference fills defaults only. Pure and
 * allocation-light: unchanged parts of the spec are shared, not copied. Public.
 */
import type { Disk, DomainSpec, Interface, InstancetypeSpec, PreferenceSpec, VirtualMachineInstanceSpec, VirtualMachineSpec } from './types.ts';

type Topology = NonNullable<NonNullable<PreferenceSpec['cpu']>['preferredCPUTopology']>;

/**
 * vCPUs → sockets/cores/threads per preferredCPUTopology. KubeVirt's default
 * is sockets; preferSpread splits across sockets and cores with ratio 1:2
 * when the count allows ([KV] pkg/instancetype/apply/cpu.go). Internal.
 */
const TOPOLOGY: Record<Topology, (n: number) => { sockets: number; cores: number; threads: number }> = {
  preferSockets: (n) => ({ sockets: n, cores: 1, threads: 1 }),
  preferCores: (n) => ({ sockets: 1, cores: n, threads: 1 }),
  preferThreads: (n) => ({ sockets: 1, cores: 1, threads: n }),
  preferSpread: (n) => (n % 2 === 0 ? { sockets: n / 2, cores: 2, threads: 1 } : { sockets: n, cores: 1, threads: 1 }),
  preferAny: (n) => ({ sockets: 1, cores: n, threads: 1 }),
  sockets: (n) => TOPOLOGY.preferSockets(n),
  cores: (n) => TOPOLOGY.preferCores(n),
  threads: (n) => TOPOLOGY.preferThreads(n),
  spread: (n) => TOPOLOGY.preferSpread(n),
  any: (n) => TOPOLOGY.preferAny(n),
};

/** Disk with the preferred bus when it names none (internal; same object when unchanged). */
function withBus(d: Disk, bus: NonNullable<Disk['disk']>['bus']): Disk {
  if (d.cdrom !== undefined) return d.cdrom.bus === undefined ? { ...d, cdrom: { ...d.cdrom, bus } } : d;
  if (d.lun !== undefined) return d.lun.bus === undefined ? { ...d, lun: { ...d.lun, bus } } : d;
  return d.disk?.bus === undefined ? { ...d, disk: { ...d.disk, bus } } : d;
}

function withModel(i: Interface, model: string): Interface {
  return i.model === undefined ? { ...i, model } : i;
}

/**
 * The effective VMI spec of a VM template with an instance type and a
 * preference applied. Public.
 */
export function applyInstancetype(
  vmSpec: VirtualMachineSpec,
  instancetype?: InstancetypeSpec,
  preference?: PreferenceSpec,
): VirtualMachineInstanceSpec {
  const spec = vmSpec.template.spec;
  if (instancetype === undefined && preference === undefined) return spec;
  let domain: DomainSpec = spec.domain;
  if (instancetype !== undefined) {
    const topo = TOPOLOGY[preference?.cpu?.preferredCPUTopology ?? 'preferSockets'](instancetype.cpu.guest);
    domain = {
      ...domain,
      cpu: { ...domain.cpu, ...topo },
      memory: { ...domain.memory, guest: instancetype.memory.guest },
    };
  }
  const bus = preference?.devices?.preferredDiskBus;
  const model = preference?.devices?.preferredInterfaceModel;
  if (bus !== undefined || model !== undefined) {
    const dev = domain.devices;
    domain = {
      ...domain,
      devices: {
        ...dev,
        ...(bus !== undefined && dev.disks !== undefined ? { disks: dev.disks.map((d) => withBus(d, bus)) } : {}),
        ...(model !== undefined && dev.interfaces !== undefined ? { interfaces: dev.interfaces.map((i) => withModel(i, model)) } : {}),
      },
    };
  }
  const grace = preference?.preferredTerminationGracePeriodSeconds;
  const out: VirtualMachineInstanceSpec = { ...spec, domain };
  if (grace !== undefined && spec.terminationGracePeriodSeconds === undefined) out.terminationGracePeriodSeconds = grace;
  return out;
}
