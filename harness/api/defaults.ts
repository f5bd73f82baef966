/**
 * The defaults KubeVirt applies before validating (docs/api.md, "Defaults"):
 * the VMI mutating webhook and the VM admitter's copy both run
 * pkg/defaults SetDefaultVirtualMachineInstanceSpec; of it, the harness
 * applies the part that changes what admission sees. Internal.
 */
import type { VirtualMachineInstanceSpec } from './types.ts';
import { zeroFilled } from './virtualmachineinstance.ts';

/**
 * pkg/util/util.go SetDefaultVolumeDisk (called from pkg/defaults/defaults.go): every
 * volume without a disk or filesystem of its name gets a disk of that name.
 * The disk gets an empty `disk` target, as kubevirt.io/api core/v1
 * defaults.go SetDefaults_DiskDevice gives a disk without target. Returns the same spec when
 * nothing is added.
 */
export function setDefaultVolumeDisk(given: VirtualMachineInstanceSpec): VirtualMachineInstanceSpec {
  if ((given?.volumes ?? []).length === 0) return given;
  const spec = zeroFilled(given);
  const devices = spec.domain.devices as VirtualMachineInstanceSpec['domain']['devices'] & { filesystems?: { name: string }[] };
  const named = new Set<string>();
  for (const d of devices.disks ?? []) named.add(d.name);
  for (const f of devices.filesystems ?? []) named.add(f.name);
  const added = (spec.volumes ?? []).filter((v) => !named.has(v.name));
  if (added.length === 0) return spec;
  const disks = [...(devices.disks ?? []), ...added.map((v) => ({ name: v.name, disk: {} }))];
  return { ...spec, domain: { ...spec.domain, devices: { ...devices, disks } } };
}
