import { describe, expect, it } from 'vitest';
import type { Observation, VmiObservation } from '../observe/types.ts';
import { candidates, resolveChoice, type GenState } from './catalogue.ts';
import { buildVmEntry, SIMPLEST_SPEC, type VmShape } from './vmArb.ts';

const shape: VmShape = {
  standalone: false,
  build: 'yaml',
  preference: false,
  boot: 'containerDisk',
  storage: 'shared',
  nics: [{ kind: 'pod', specMac: false }],
  extras: [{ kind: 'pvc', serial: true }],
  strategy: 'Always',
  spec: SIMPLEST_SPEC,
};

function vmi(phase: VmiObservation['phase']): VmiObservation {
  return {
    uid: 'u1',
    owner: 'vm',
    phase,
    node: 'node-1',
    conditions: {},
    bootId: phase === 'Running' ? 'b1' : null,
    interfaces: [],
    disks: [
      { name: 'rootdisk', serial: null, sizeBytes: 64 << 20, token: null, bus: 'virtio' },
      { name: 'cdrom', serial: null, sizeBytes: null, token: null, bus: null },
    ],
    memoryMiB: 256,
    vcpus: 1,
    sockets: 1,
    migration: null,
  };
}

function state(phase: VmiObservation['phase'] | null): GenState {
  const vm = buildVmEntry(0, shape);
  const obs: Observation = { header: { backend: 'model' }, vms: {}, vmis: phase ? { 'vm-a': vmi(phase) } : {}, pvcs: {}, nodes: { 'node-1': { ready: true, vfsInUse: {} } }, migrations: {} };
  const applied = new Map(phase ? [[`VirtualMachine/vm-a`, vm.objects.at(-1)!]] : []);
  return { vms: [vm], applied, obs, step: 3 };
}

describe('command catalogue preconditions', () => {
  it('offers the VM before its dependencies, and only objects not yet applied', () => {
    const c = candidates('apply', state(null));
    expect(c.map((x) => x.kind === 'apply' && `${x.args.object.kind}/${x.args.object.metadata.name}`)).toEqual(['VirtualMachine/vm-a', 'PersistentVolumeClaim/vm-a-data0']);
  });

  it('writes data only to attached block disks of running guests', () => {
    const s = state('Running');
    const writes = candidates('writeData', s);
    expect(writes).toEqual([{ kind: 'guest', args: { action: 'writeData', vmi: 'vm-a', disk: 'rootdisk', token: 't3' } }]);
    expect(candidates('writeData', state('Succeeded'))).toEqual([]);
  });

  it('draws commands the reference must reject on purpose (R-V1 start of a running VM, R-V8 reset of a final VMI)', () => {
    const running = state('Running');
    expect(resolveChoice([0, 0], ['start'], running)).toEqual({ kind: 'vm', args: { verb: 'start', name: 'vm-a' } });
    expect(resolveChoice([0, 0], ['reset'], state('Succeeded'))).toEqual({ kind: 'guest', args: { action: 'reset', vmi: 'vm-a' } });
  });

  it('wraps indices over the kinds that have candidates, and over their candidates', () => {
    const s = state(null);
    // Nothing applied and no VMI: only `apply` has candidates, whatever the kind index.
    expect(resolveChoice([7, 0], ['start', 'apply', 'poweroff'], s)).toEqual(resolveChoice([0, 0], ['apply'], s));
    expect(resolveChoice([0, 3], ['apply'], s)).toEqual(resolveChoice([0, 1], ['apply'], s));
    expect(resolveChoice([0, 0], ['poweroff'], s)).toBeNull();
  });

  it('a kind listed n times weighs n where it can run, once where the reference can only refuse it', () => {
    const migrate = { kind: 'vm', args: { verb: 'migrate', name: 'vm-a' } };
    const stopped = state('Succeeded'); // no running VMI: a migrate can only be refused
    expect(resolveChoice([0, 0], ['migrate', 'migrate', 'migrate', 'stop'], stopped)).toEqual(migrate);
    expect(resolveChoice([1, 0], ['migrate', 'migrate', 'migrate', 'stop'], stopped)).toEqual({ kind: 'vm', args: { verb: 'stop', name: 'vm-a' } });
    const running = state('Running');
    expect(resolveChoice([1, 0], ['migrate', 'migrate', 'migrate', 'stop'], running)).toEqual(migrate);
    expect(resolveChoice([3, 0], ['migrate', 'migrate', 'migrate', 'stop'], running)).toEqual({ kind: 'vm', args: { verb: 'stop', name: 'vm-a' } });
  });

  it('offers the missing dependencies of an applied VM first, so that it can run', () => {
    const c = candidates('apply', state('Running'));
    expect(c.map((x) => x.kind === 'apply' && `${x.args.object.kind}/${x.args.object.metadata.name}`)).toEqual(['PersistentVolumeClaim/vm-a-data0']);
  });

  it('offers strategy switches for an applied VM (R-RS*)', () => {
    const s = state('Running');
    const vm = s.vms[0]!;
    (s.applied as Map<string, unknown>).set('PersistentVolumeClaim/vm-a-data0', vm.objects[0]);
    const c = candidates('apply', s);
    const strategies = c.flatMap((x) => (x.kind === 'apply' && x.args.object.kind === 'VirtualMachine' ? [x.args.object.spec.runStrategy] : []));
    expect(strategies).toEqual(['RerunOnFailure', 'Manual', 'Halted', 'Once']);
  });

  it('acts on a migration in flight (held, docs/harness-choices.md §2): abort it, kill its target, lose its target node', () => {
    const s = state('Running');
    expect(candidates('abortMigration', s)).toEqual([]);
    expect(candidates('killMigrationTarget', s)).toEqual([]);
    s.obs.vmis['vm-a']!.migration = { completed: false, failed: false, sourceNode: 'node-1', targetNode: 'node-2' };
    s.obs.nodes['node-2'] = { ready: true, vfsInUse: {} };
    s.obs.migrations['vm-a-migration-1'] = { vmi: 'vm-a', phase: 'Running' };
    expect(candidates('abortMigration', s)).toEqual([{ kind: 'delete', args: { kind: 'VirtualMachineInstanceMigration', name: 'vm-a-migration-1' } }]);
    expect(candidates('killMigrationTarget', s)).toEqual([{ kind: 'fault', args: { fault: 'killMigrationTarget', vmi: 'vm-a' } }]);
    expect(candidates('nodeLoss', s).map((c) => c.kind === 'fault' && 'node' in c.args && c.args.node)).toEqual(['node-1', 'node-2']);
  });
});
