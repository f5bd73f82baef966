import { describe, expect, it } from 'vitest';
import { effectiveRunStrategy } from './runStrategy.ts';
import { baseVm } from './testObjects.ts';
import { applyClusterDefaults, vmiSpecFromVm, type SpecLookups } from './vmiSpecFromVm.ts';

const lookups: SpecLookups = {
  instancetype: (m) => (m.name === 'vmconform.tiny' && m.kind === 'VirtualMachineClusterInstancetype' ? { cpu: { guest: 1 }, memory: { guest: '256Mi' } } : undefined),
  preference: (m) => (m.name === 'vmconform.linux' ? { devices: { preferredDiskBus: 'virtio' } } : undefined),
};

describe('vmiSpecFromVm', () => {
  it('R-I1: resolves the cluster instancetype and preference by default kind', () => {
    const vm = baseVm();
    vm.spec.instancetype = { name: 'vmconform.tiny' };
    vm.spec.preference = { name: 'vmconform.linux' };
    vm.spec.template.spec.domain.memory = undefined;
    const r = vmiSpecFromVm(vm, lookups);
    expect(r.ok && r.spec.domain.memory?.guest).toBe('256Mi');
    expect(r.ok && r.spec.evictionStrategy).toBe('LiveMigrate');
  });

  it('a missing instancetype or preference is a reason, not a throw', () => {
    const vm = baseVm();
    vm.spec.instancetype = { name: 'vmconform.tiny', kind: 'VirtualMachineInstancetype' };
    expect(vmiSpecFromVm(vm, lookups)).toMatchObject({ ok: false, reason: 'InstancetypeNotFound' });
    vm.spec.instancetype = undefined;
    vm.spec.preference = { name: 'nope' };
    expect(vmiSpecFromVm(vm, lookups)).toMatchObject({ ok: false, reason: 'PreferenceNotFound' });
  });

  it('R-N1: without interfaces and networks a pod NIC with the cluster default binding is attached', () => {
    const s = baseVm().spec.template.spec;
    s.domain.devices.interfaces = undefined;
    s.networks = undefined;
    s.terminationGracePeriodSeconds = undefined;
    const d = applyClusterDefaults(s);
    expect(d.domain.devices.interfaces).toEqual([{ name: 'default', masquerade: {} }]);
    expect(d.networks).toEqual([{ name: 'default', pod: {} }]);
    expect(d.terminationGracePeriodSeconds).toBeUndefined(); // the core applies the default grace (R-V2)
    expect(applyClusterDefaults(s, { defaultNetworkInterface: 'bridge' }).domain.devices.interfaces).toEqual([{ name: 'default', bridge: {} }]);
    s.domain.devices.autoattachPodInterface = false;
    expect(applyClusterDefaults(s).networks).toBeUndefined();
  });
});

describe('effectiveRunStrategy (R-RS0)', () => {
  it('maps running true/false to Always/Halted and passes runStrategy through', () => {
    const vm = baseVm();
    expect(effectiveRunStrategy(vm)).toBe('Always');
    vm.spec.runStrategy = 'Manual';
    expect(effectiveRunStrategy(vm)).toBe('Manual');
    vm.spec.runStrategy = undefined;
    vm.spec.running = false;
    expect(effectiveRunStrategy(vm)).toBe('Halted');
    vm.spec.running = true;
    expect(effectiveRunStrategy(vm)).toBe('Always');
  });
});
