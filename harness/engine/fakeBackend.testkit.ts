/**
 * A toy Backend for the engine's own unit tests ONLY (internal): VMs that run
 * when their strategy says so, start/stop, reset. Far from the model; it
 * exists to test the runner's mechanics (diff, shrink, replay, budgets)
 * without depending on backends/model. `deviation` breaks one rule.
 */
import type { Backend, GuestAction, KubeObject, Observation, ObjectRef, Result, VmAction } from '../../backends/contract.ts';
import { fail, InfrastructureError, OK } from '../contract/index.ts';

export interface FakeOptions {
  name?: string;
  /** 'resetNewVmi': a reset makes a new VMI; 'throwOnReset': the backend fails unexpectedly. */
  deviation?: 'resetNewVmi' | 'throwOnReset';
  /** Changes raw ids only (no real deviation). */
  uidPrefix?: string;
  infraErrorOnCreate?: boolean;
}

interface FakeVmi {
  uid: string;
  boot: number;
  owner: 'vm' | 'standalone';
}

export function createFakeBackend(opts: FakeOptions = {}): Backend {
  const prefix = opts.uidPrefix ?? 'u';
  if (opts.infraErrorOnCreate) throw new InfrastructureError('fake: qemu-system-x86_64 not found');
  let counter = 0;
  const vms = new Map<string, { strategy: string }>();
  const vmis = new Map<string, FakeVmi>();
  const nodes = new Set<string>();
  const newVmi = (owner: 'vm' | 'standalone'): FakeVmi => ({ uid: `${prefix}-${++counter}`, boot: 1, owner });
  const strategy = (o: KubeObject): string =>
    o.kind === 'VirtualMachine' ? (o.spec.runStrategy ?? (o.spec.running ? 'Always' : 'Halted')) : 'n/a';

  return {
    name: opts.name ?? 'fake',
    async apply(o: KubeObject): Promise<Result> {
      if (o.kind === 'Node') nodes.add(o.metadata.name);
      if (o.kind === 'VirtualMachine') {
        const s = strategy(o);
        vms.set(o.metadata.name, { strategy: s });
        if ((s === 'Always' || s === 'RerunOnFailure') && !vmis.has(o.metadata.name)) vmis.set(o.metadata.name, newVmi('vm'));
      }
      if (o.kind === 'VirtualMachineInstance' && !vmis.has(o.metadata.name)) vmis.set(o.metadata.name, newVmi('standalone'));
      return OK;
    },
    async delete(ref: ObjectRef): Promise<Result> {
      if (ref.kind === 'VirtualMachine') {
        if (!vms.delete(ref.name)) return fail(404, `virtualmachines "${ref.name}" not found`);
        vmis.delete(ref.name);
      }
      if (ref.kind === 'VirtualMachineInstance') vmis.delete(ref.name);
      return OK;
    },
    async vm(a: VmAction): Promise<Result> {
      const vm = vms.get(a.name);
      if (a.verb === 'start') {
        if (!vm) return fail(404, 'not found');
        if (vmis.has(a.name)) return fail(409, 'VM is already running');
        vm.strategy = 'Always';
        vmis.set(a.name, newVmi('vm'));
        return OK;
      }
      if (a.verb === 'stop') {
        if (!vm) return fail(404, 'not found');
        vm.strategy = 'Halted';
        vmis.delete(a.name);
        return OK;
      }
      return vmis.has(a.name) ? OK : fail(409, 'VM is not running');
    },
    async guest(g: GuestAction): Promise<Result> {
      const vmi = vmis.get(g.vmi);
      if (!vmi) return fail(404, 'not found');
      if (g.action === 'reset') {
        if (opts.deviation === 'throwOnReset') throw new Error('fake: QMP connection reset by peer');
        if (opts.deviation === 'resetNewVmi') vmis.set(g.vmi, newVmi(vmi.owner));
        else vmi.boot++;
      }
      return OK;
    },
    async fault(): Promise<Result> {
      return OK;
    },
    async list() {
      return [];
    },
    async settle(): Promise<void> {},
    async observe(): Promise<Observation> {
      const o: Observation = { header: { backend: opts.name ?? 'fake' }, vms: {}, vmis: {}, pvcs: {}, nodes: {}, migrations: {} };
      for (const n of nodes) o.nodes[n] = { ready: true, vfsInUse: {} };
      for (const [name, vm] of vms) {
        const vmi = vmis.get(name);
        o.vms[name] = { printableStatus: vmi ? 'Running' : 'Stopped', ready: !!vmi, created: !!vmi, runStrategy: vm.strategy, conditions: {}, vmi: vmi?.uid ?? null };
      }
      for (const [name, v] of vmis) {
        o.vmis[name] = {
          uid: v.uid,
          owner: v.owner,
          phase: 'Running',
          node: 'node-1',
          conditions: {},
          bootId: `${v.uid}-boot-${v.boot}`,
          interfaces: [],
          disks: [{ name: 'rootdisk', serial: null, sizeBytes: 1, token: null, bus: 'virtio' }],
          memoryMiB: 256,
          vcpus: 1,
          sockets: 1,
          migration: null,
        };
      }
      return o;
    },
    fingerprint: () => ({ backend: opts.name ?? 'fake' }),
    async dispose(): Promise<void> {},
  };
}
