import { describe, expect, it } from 'vitest';
import { baseVm } from './testObjects.ts';
import { validateObject } from './validateObject.ts';
import type { RunStrategy } from './types.ts';

function issues(vm: unknown) {
  const r = validateObject(vm);
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

  it('checks dataVolumeTemplates: one of source/sourceRef, unique names', () => {
    const vm = baseVm();
    const spec = { sourceRef: { kind: 'DataSource' as const, name: 'guest' } };
    vm.spec.dataVolumeTemplates = [
      { metadata: { name: 'd' }, spec },
      { metadata: { name: 'd' }, spec: {} },
    ];
    expect(issues(vm).map((i) => i.path)).toEqual(['spec.dataVolumeTemplates[1].metadata.name', 'spec.dataVolumeTemplates[1].spec']);
  });

  it('rejects unknown fields in the VM template metadata', () => {
    const vm = baseVm() as unknown as { spec: { template: { metadata: unknown } } };
    vm.spec.template.metadata = { labels: {}, name: 'x' };
    expect(issues(vm)).toEqual([{ path: 'spec.template.metadata.name', message: 'unknown field "name"' }]);
  });
});
