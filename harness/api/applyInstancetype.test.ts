import { describe, expect, it } from 'vitest';
import { applyInstancetype } from './applyInstancetype.ts';
import { baseVm } from './testObjects.ts';
import type { VirtualMachineSpec } from './types.ts';

function itVm(): VirtualMachineSpec {
  const vm = baseVm();
  vm.spec.instancetype = { name: 'vmconform.small' };
  vm.spec.template.spec.domain.memory = undefined;
  vm.spec.template.spec.terminationGracePeriodSeconds = undefined;
  vm.spec.template.spec.domain.devices.disks = [{ name: 'rootdisk', disk: {} }, { name: 'cd', cdrom: { bus: 'sata' } }];
  return vm.spec;
}

describe('applyInstancetype (R-I1)', () => {
  it('fills guest memory and vCPUs as sockets by default', () => {
    const s = applyInstancetype(itVm(), { cpu: { guest: 2 }, memory: { guest: '512Mi' } });
    expect(s.domain.cpu).toEqual({ sockets: 2, cores: 1, threads: 1 });
    expect(s.domain.memory).toEqual({ guest: '512Mi' });
  });

  it('preferredCPUTopology places vCPUs on cores or threads', () => {
    const it4 = { cpu: { guest: 4 }, memory: { guest: '256Mi' } };
    expect(applyInstancetype(itVm(), it4, { cpu: { preferredCPUTopology: 'preferCores' } }).domain.cpu).toEqual({ sockets: 1, cores: 4, threads: 1 });
    expect(applyInstancetype(itVm(), it4, { cpu: { preferredCPUTopology: 'preferThreads' } }).domain.cpu).toEqual({ sockets: 1, cores: 1, threads: 4 });
    expect(applyInstancetype(itVm(), it4, { cpu: { preferredCPUTopology: 'preferSpread' } }).domain.cpu).toEqual({ sockets: 2, cores: 2, threads: 1 });
  });

  it('a preference gives defaults only: bus for disks without one, NIC model, grace period', () => {
    const spec = itVm();
    spec.template.spec.domain.devices.interfaces = [{ name: 'default', masquerade: {} }, { name: 'x', bridge: {}, model: 'e1000e' }];
    const s = applyInstancetype(spec, undefined, {
      devices: { preferredDiskBus: 'virtio', preferredInterfaceModel: 'virtio' },
      preferredTerminationGracePeriodSeconds: 7,
    });
    expect(s.domain.devices.disks).toEqual([{ name: 'rootdisk', disk: { bus: 'virtio' } }, { name: 'cd', cdrom: { bus: 'sata' } }]);
    expect(s.domain.devices.interfaces!.map((i) => i.model)).toEqual(['virtio', 'e1000e']);
    expect(s.terminationGracePeriodSeconds).toBe(7);
    spec.template.spec.terminationGracePeriodSeconds = 5;
    expect(applyInstancetype(spec, undefined, { preferredTerminationGracePeriodSeconds: 7 }).terminationGracePeriodSeconds).toBe(5);
  });

  it('is pure: the input is unchanged and shared parts are not copied', () => {
    const spec = itVm();
    const before = JSON.stringify(spec);
    const s = applyInstancetype(spec, { cpu: { guest: 1 }, memory: { guest: '256Mi' } }, { devices: { preferredDiskBus: 'sata' } });
    expect(JSON.stringify(spec)).toBe(before);
    expect(s.volumes).toBe(spec.template.spec.volumes);
    expect(applyInstancetype(spec)).toBe(spec.template.spec);
  });
});
