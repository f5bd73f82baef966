import { describe, expect, it } from 'vitest';
import { checkVmiSpec } from './virtualmachineinstance.ts';
import { baseVm } from './testObjects.ts';
import { validateObject } from './validateObject.ts';
import type { VirtualMachineInstanceSpec } from './types.ts';

const spec = (): VirtualMachineInstanceSpec => baseVm().spec.template.spec;

describe('VMI spec admission checks', () => {
  it('accepts the base spec', () => {
    expect(checkVmiSpec(spec(), 'spec')).toEqual([]);
  });

  it('every disk needs a volume of its name; a volume without a disk gets one (SetDefaultVolumeDisk)', () => {
    const s = spec();
    s.volumes![0]!.name = 'other';
    expect(checkVmiSpec(s, 'spec')).toEqual([
      { path: 'spec.domain.devices.disks[0].name', message: "spec.domain.devices.disks[0].Name 'rootdisk' not found." },
    ]);
    const vmi = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'v' }, spec: spec() };
    vmi.spec.domain.devices.disks = [];
    const r = validateObject(vmi);
    expect(r.ok && (r.object as typeof vmi).spec.domain.devices.disks).toEqual([{ name: 'rootdisk', disk: {} }]);
  });

  it('every interface needs a network and every network an interface', () => {
    const s = spec();
    s.networks![0]!.name = 'pod';
    // KubeVirt reports the missing network and, for the masquerade binding, the missing pod network.
    expect(checkVmiSpec(s, 'x').map((i) => i.message)).toEqual([
      "x.networks[0].name 'pod' not found.",
      "x.domain.devices.interfaces[0].name 'default' not found.",
      'Masquerade interface only implemented with pod network',
    ]);
  });

  it('R-S6: bootOrder must be > 0 and unique across disks and NICs', () => {
    const s = spec();
    s.domain.devices.disks![0]!.bootOrder = 2;
    s.domain.devices.interfaces![0]!.bootOrder = 2;
    const i = checkVmiSpec(s, 'spec');
    expect(i).toHaveLength(1);
    expect(i[0]!.path).toBe('spec.domain.devices.interfaces[0].bootOrder');
    expect(i[0]!.message).toBe('Boot order for spec.domain.devices.interfaces[0].bootOrder already set for a different device.');
    s.domain.devices.interfaces![0]!.bootOrder = -1;
    expect(checkVmiSpec(s, 'spec')).toEqual([
      { path: 'spec.domain.devices.interfaces[0].bootOrder', message: 'spec.domain.devices.interfaces[0] must have a boot order > 0, if supplied' },
    ]);
  });

  it('R-N3: masquerade only on the pod network (sriov on the pod network passes admission); one pod network', () => {
    const s = spec();
    s.domain.devices.interfaces = [{ name: 'default', sriov: {} }, { name: 'b', masquerade: {} }];
    s.networks = [{ name: 'default', pod: {} }, { name: 'b', multus: { networkName: 'data-net' } }];
    expect(checkVmiSpec(s, 'spec')).toEqual([
      { path: 'spec.domain.devices.interfaces[1].name', message: 'Masquerade interface only implemented with pod network' },
    ]);
    s.domain.devices.interfaces = [{ name: 'default', masquerade: {} }, { name: 'b', masquerade: {} }];
    s.networks = [{ name: 'default', pod: {} }, { name: 'b', pod: {} }];
    expect(checkVmiSpec(s, 'spec')).toEqual([
      { path: 'spec.networks[1]', message: 'more than one interface is connected to a pod network in spec.interfaces' },
    ]);
  });

  it('a network needs exactly one type; one interface per network', () => {
    const s = spec();
    s.networks = [{ name: 'default', pod: {}, multus: { networkName: 'n' } }];
    expect(checkVmiSpec(s, 'spec')).toEqual([{ path: 'spec.networks[0]', message: 'should have only one network type' }]);
    s.networks = [{ name: 'default' }];
    expect(checkVmiSpec(s, 'spec')).toEqual([
      { path: 'spec.networks[0]', message: 'should have a network type' },
      { path: 'spec.domain.devices.interfaces[0].name', message: 'Masquerade interface only implemented with pod network' },
    ]);
    s.networks = [{ name: 'default', pod: {} }];
    s.domain.devices.interfaces!.push({ name: 'default', masquerade: {} });
    expect(checkVmiSpec(s, 'spec')).toEqual([{ path: 'spec.domain.devices.interfaces[1].name', message: 'Only one interface can be connected to one specific network' }]);
  });

  it('duplicate disk names are reported', () => {
    const s = spec();
    s.domain.devices.disks!.push({ name: 'rootdisk' });
    expect(checkVmiSpec(s, 'spec')).toEqual([
      { path: 'spec.domain.devices.disks[1]', message: 'spec.domain.devices.disks[1] and spec.domain.devices.disks[0] must not have the same Name.' },
    ]);
  });

  it('a standalone VMI object is validated with paths under spec', () => {
    const vmi = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'v' }, spec: spec() };
    vmi.spec.domain.memory = { guest: '512Mb' };
    const r = validateObject(vmi);
    expect(r.ok ? [] : r.issues).toEqual([
      {
        path: 'spec.domain.memory.guest',
        message:
          "Invalid value: \"512Mb\": spec.domain.memory.guest in body should match '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'",
      },
    ]);
  });

  it('feature gates: HostDisk, HostDevices are Alpha (off by default); a gate in the context enables them', () => {
    const s = spec() as VirtualMachineInstanceSpec & { volumes: unknown[] };
    (s.domain.devices as Record<string, unknown>).hostDevices = [{ name: 'h', deviceName: 'x/y' }];
    s.volumes[0] = { name: 'rootdisk', hostDisk: { path: '/d.img', type: 'Disk' } } as unknown as (typeof s.volumes)[0];
    expect(checkVmiSpec(s, 'spec')).toEqual([
      { path: 'spec.volumes[0]', message: 'HostDisk feature gate is not enabled' },
      { path: 'spec.HostDevices', message: 'Host Devices feature gate is not enabled in kubevirt-config' },
    ]);
    expect(checkVmiSpec(s, 'spec', { featureGates: { featureGates: ['HostDisk', 'HostDevices'] } })).toEqual([]);
  });

  it('a VMI needs memory (ValidateVirtualMachineInstanceMandatoryFields)', () => {
    const vmi = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'v' }, spec: spec() };
    vmi.spec.domain.memory = undefined;
    const r = validateObject(vmi);
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(['spec.domain.memory']);
  });
  it('memory in resources.limits alone is enough: setGuestMemory (pkg/defaults/defaults.go) fills memory.guest from it', () => {
    const vmi = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'v' }, spec: spec() };
    vmi.spec.domain.memory = undefined;
    vmi.spec.domain.resources = { limits: { memory: '256Mi' } };
    expect(validateObject(vmi).ok).toBe(true);
  });
  // KubeVirt pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go validateVolumes (at most one
  // serviceAccount volume; serviceAccountName required) and validateServiceAccountName (spec.serviceAccountName is a
  // DNS-1123 subdomain naming the same account as the volume)
  it('serviceAccount volumes (R-S5): one per VMI, with a name; spec.serviceAccountName must name the same account', () => {
    const withSa = (...names: string[]) => {
      const s = spec();
      names.forEach((n, i) => {
        s.domain.devices.disks!.push({ name: `sa${i}`, disk: {} });
        s.volumes!.push({ name: `sa${i}`, serviceAccount: { serviceAccountName: n } });
      });
      return s;
    };
    expect(checkVmiSpec(withSa('builder'), 'spec')).toEqual([]);
    const vm = { ...baseVm(), spec: { ...baseVm().spec, template: { spec: withSa('a', 'b') } } };
    const r = validateObject(vm);
    expect(r.ok ? [] : r.issues).toEqual([{ path: 'spec.template.spec.volumes', message: 'spec.template.spec.volumes must have max one serviceAccount volume set' }]);
    expect(checkVmiSpec(withSa(''), 'spec')).toEqual([
      { path: 'spec.volumes[1].serviceAccount.serviceAccountName', message: 'spec.volumes[1].serviceAccount.serviceAccountName is a required field' },
    ]);
    const named = { ...withSa('builder'), serviceAccountName: 'Other_' } as VirtualMachineInstanceSpec;
    expect(checkVmiSpec(named, 'spec').map((i) => i.message)).toEqual([
      expect.stringMatching(/^spec\.serviceAccountName is not a valid service account name: a lowercase RFC 1123 subdomain /),
      'spec.serviceAccountName "Other_" and serviceAccount volume "builder" must reference the same service account',
    ]);
    expect(checkVmiSpec({ ...withSa('builder'), serviceAccountName: 'builder' } as VirtualMachineInstanceSpec, 'spec')).toEqual([]);
  });
});
