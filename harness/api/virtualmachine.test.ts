import { describe, expect, it } from 'vitest';
import { baseVm } from './testObjects.ts';
import { validateObject } from './validateObject.ts';
import type { RunStrategy } from './types.ts';

const tiny = { spec: { cpu: { guest: 1 }, memory: { guest: '256Mi' } } };
const lookup = (kind: string, name: string) => (kind === 'VirtualMachineClusterInstancetype' && name === 'vmconform.tiny' ? tiny : undefined);

function issues(vm: unknown) {
  const r = validateObject(vm, { lookup });
  return r.ok ? [] : r.issues;
}

describe('VirtualMachine admission (R-RS0, R-I1)', () => {
  it('accepts the base VM and every run strategy', () => {
    for (const s of ['Always', 'RerunOnFailure', 'Manual', 'Halted', 'Once'] as RunStrategy[]) {
      const vm = baseVm();
      vm.spec.runStrategy = s;
      expect(issues(vm)).toEqual([]);
    }
  });

  it('R-RS0: running and runStrategy together is rejected at spec.running with KubeVirt text', () => {
    const vm = baseVm();
    vm.spec.running = true;
    expect(issues(vm)).toEqual([
      { path: 'spec.running', message: 'Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead' },
    ]);
  });

  it('R-RS0: neither set → RunStrategy must be specified; unknown → Invalid RunStrategy (X)', () => {
    const vm = baseVm();
    delete vm.spec.runStrategy;
    expect(issues(vm)).toEqual([{ path: 'spec.runStrategy', message: 'RunStrategy must be specified' }]);
    vm.spec.runStrategy = 'Sometimes' as RunStrategy;
    expect(issues(vm)).toEqual([{ path: 'spec.runStrategy', message: 'Invalid RunStrategy (Sometimes)' }]);
    vm.spec.runStrategy = undefined;
    vm.spec.running = false;
    expect(issues(vm)).toEqual([]);
  });

  it('R-I1: every explicit cpu/memory field conflicts with an instance type', () => {
    const vm = baseVm();
    vm.spec.instancetype = { name: 'vmconform.tiny' };
    vm.spec.template.spec.domain.cpu = { cores: 2, sockets: 1 };
    vm.spec.template.spec.domain.resources = { limits: { memory: '1Gi' } };
    const paths = issues(vm).map((i) => i.path);
    expect(paths).toEqual([
      'spec.template.spec.domain.cpu.sockets',
      'spec.template.spec.domain.cpu.cores',
      'spec.template.spec.domain.memory.guest',
      'spec.template.spec.domain.resources.limits.memory',
    ]);
    expect(issues(vm)[0]!.message).toBe('VM field(s) spec.template.spec.domain.cpu.sockets conflicts with selected instance type');
  });

  it('R-I1: cpu.model alone does not conflict', () => {
    const vm = baseVm();
    vm.spec.instancetype = { name: 'vmconform.tiny' };
    vm.spec.template.spec.domain.memory = undefined;
    vm.spec.template.spec.domain.cpu = { model: 'host-model' };
    expect(issues(vm)).toEqual([]);
  });

  it('R-I1: a missing instancetype is no admission error (KubeVirt ignores the look-up failure); the kind matches case-insensitively', () => {
    const vm = baseVm();
    vm.spec.instancetype = { name: 'absent' };
    vm.spec.template.spec.domain.cpu = { sockets: 2 };
    expect(issues(vm)).toEqual([]);
    vm.spec.instancetype = { name: 'vmconform.tiny', kind: 'virtualmachineclusterinstancetype' as 'VirtualMachineClusterInstancetype' };
    expect(issues(vm).map((i) => i.path)).toContain('spec.template.spec.domain.cpu.sockets');
  });

  it('checks dataVolumeTemplates as the storage admitter: a target, and a reference from the volumes', () => {
    const vm = baseVm();
    const spec = { sourceRef: { kind: 'DataSource' as const, name: 'guest' }, storage: {} };
    vm.spec.dataVolumeTemplates = [{ metadata: { name: 'd' }, spec }];
    expect(issues(vm)).toEqual([
      { path: 'spec.dataVolumeTemplate[0]', message: "DataVolumeTemplate entry spec.dataVolumeTemplate[0] must be referenced in the VMI template's 'volumes' list" },
    ]);
    vm.spec.dataVolumeTemplates = [{ metadata: { name: 'd' }, spec: {} }];
    expect(issues(vm)).toEqual([{ path: 'spec.dataVolumeTemplate[0].PVC.Storage', message: 'Missing Data volume PVC or Storage' }]);
  });

  it('keeps unknown fields in the VM template metadata (x-kubernetes-preserve-unknown-fields) and refuses them elsewhere', () => {
    const vm = baseVm() as unknown as { spec: { template: { metadata: unknown; spec: { domain: Record<string, unknown> } } } };
    vm.spec.template.metadata = { labels: {}, name: 'x', creationTimestamp: null };
    expect(issues(vm)).toEqual([]);
    vm.spec.template.spec.domain.foo = 1;
    expect(issues(vm)).toEqual([{ path: 'spec.template.spec.domain.foo', message: 'unknown field "spec.template.spec.domain.foo"' }]);
  });

  it('the Sidecar gate is off by default: the hook annotation is refused unless the gate is enabled', () => {
    const vm = baseVm();
    vm.spec.template.metadata = { annotations: { 'hooks.kubevirt.io/hookSidecars': '[{"image": "x"}]' } };
    expect(issues(vm)).toEqual([
      {
        path: 'spec.template.metadata.annotations',
        message: 'sidecar feature gate is not enabled in kubevirt-config, invalid entry spec.template.metadata.annotations.hooks.kubevirt.io/hookSidecars',
      },
    ]);
    expect(validateObject(vm, { featureGates: { featureGates: ['Sidecar'] } }).ok).toBe(true);
  });

  it('served versions: v1alpha3 is converted to v1 with the deprecation warning; an unserved one is not found', () => {
    const vm = { ...baseVm(), apiVersion: 'kubevirt.io/v1alpha3' };
    const r = validateObject(vm);
    expect(r).toMatchObject({ ok: true, object: { apiVersion: 'kubevirt.io/v1' }, warnings: ['kubevirt.io/v1alpha3 is now deprecated and will be removed in a future release.'] });
    expect(issues({ ...baseVm(), apiVersion: 'kubevirt.io/v2' })).toEqual([{ path: 'apiVersion', message: 'no matches for kind "VirtualMachine" in version "kubevirt.io/v2"' }]);
  });

  it('metadata.creationTimestamp: null is accepted; a null field is pruned; devices is required', () => {
    const vm = baseVm() as unknown as { metadata: Record<string, unknown>; spec: { template: { spec: { domain: Record<string, unknown> } } } };
    vm.metadata.creationTimestamp = null;
    vm.spec.template.spec.domain.cpu = null;
    expect(issues(vm)).toEqual([]);
    delete vm.spec.template.spec.domain.devices;
    expect(issues(vm)).toEqual([
      { path: 'spec.template.spec.domain.devices', message: 'Required value (the CRD requires it even when empty: `devices: {}` is enough)' },
    ]);
  });
});
