/**
 * The VirtualMachinePool controller (R-I3, docs/kubevirt-reference.md §8.3; KubeVirt
 * pkg/virt-controller/watch/pool/pool.go): keeps `spec.replicas` (default 1)
 * VMs named `<pool>-<index>`, the lowest free index first
 * (calculateNewVMNames); DataVolumeTemplates and the volumes using them are
 * renamed `<dv>-<index>` (indexVMSpec). VMs being deleted still count (as
 * KubeVirt's scale-in does), so a deleted pool VM is recreated under its
 * name once it is gone. The VMs of a deleted pool are deleted (the garbage
 * collector's cascade). Internal to the cluster core.
 *
 * Harness choices: scale-in removes the highest index (KubeVirt's
 * DescendingOrder policy; its default is random); a changed template applies
 * to new VMs only (no update strategy); VMs are owned by the pool that
 * created them (no adoption).
 */
import type { VirtualMachine, VirtualMachinePool, VirtualMachineSpec } from '../../api/index.ts';
import type { ApiObject, WorkloadStatus } from '../store/objects.ts';
import type { Entry, Store } from '../store/Store.ts';
import { controllerOf, isDeleting, ownerRef } from '../common/vmis.ts';
import { deleteVm, putVm, type VmEntry } from '../common/vms.ts';
import type { Controller, Ctx, Watch } from './Controller.ts';

const POOL = 'VirtualMachinePool';

export type PoolEntry = Entry<ApiObject & Omit<VirtualMachinePool, 'metadata'> & { status: WorkloadStatus }, null>;

/** The pool that controls a VM, by the VM's name. */
const poolOfVm = (s: Store, vmName: string): string | undefined => {
  const vm = s.get('VirtualMachine', vmName);
  const o = vm && controllerOf(vm.obj.metadata);
  return o?.kind === POOL ? o.name : undefined;
};

const onVm: Watch = (_c, e, _removed, enqueue) => {
  const o = controllerOf(e.obj.metadata);
  if (o?.kind === POOL) enqueue(o.name);
};

/** A VMI's readiness shows in its VM's pool's readyReplicas. */
const onVmi: Watch = (c, e, _removed, enqueue) => {
  if (c.store.count(POOL) === 0) return;
  const o = controllerOf(e.obj.metadata);
  if (o?.kind !== 'VirtualMachine') return;
  const pool = poolOfVm(c.store, o.name);
  if (pool !== undefined) enqueue(pool);
};

export const poolController: Controller = {
  name: 'pool',
  watches: {
    VirtualMachinePool: (_c, e, _removed, enqueue) => enqueue(e.obj.metadata.name),
    VirtualMachine: onVm,
    VirtualMachineInstance: onVmi,
  },
  reconcile(c, name) {
    const p = c.store.get(POOL, name) as PoolEntry | undefined;
    if (!p) return cascade(c, name);
    scale(c, p);
    writeStatus(c, p);
  },
};

/** The pool's VMs by index. */
function owned(s: Store, p: PoolEntry): Map<number, VmEntry> {
  const out = new Map<number, VmEntry>();
  const prefix = `${p.obj.metadata.name}-`;
  for (const vm of s.all<VmEntry['obj'], VmEntry['rec']>('VirtualMachine').values()) {
    if (controllerOf(vm.obj.metadata)?.uid === p.obj.metadata.uid) out.set(Number(vm.obj.metadata.name.slice(prefix.length)), vm as VmEntry);
  }
  return out;
}

/** A deleted pool's VMs go too. */
function cascade(c: Ctx, name: string): void {
  for (const vm of c.store.all<VmEntry['obj'], VmEntry['rec']>('VirtualMachine').values()) {
    const o = controllerOf(vm.obj.metadata);
    if (o?.kind === POOL && o.name === name) deleteVm(c.store, vm as VmEntry, c.store.timestamp());
  }
}

/** The VM spec of index `i`: DataVolumeTemplates and their volumes renamed `<dv>-<i>` ([KV] indexVMSpec). */
export function indexVmSpec(spec: VirtualMachineSpec, i: number): VirtualMachineSpec {
  const dvs = spec.dataVolumeTemplates;
  if (!dvs || dvs.length === 0) return spec;
  const renamed = new Map(dvs.map((t) => [t.metadata.name, `${t.metadata.name}-${i}`]));
  const volumes = spec.template.spec.volumes?.map((v) => {
    const claim = v.persistentVolumeClaim && renamed.get(v.persistentVolumeClaim.claimName);
    if (claim) return { ...v, persistentVolumeClaim: { ...v.persistentVolumeClaim!, claimName: claim } };
    const dv = v.dataVolume && renamed.get(v.dataVolume.name);
    if (dv) return { ...v, dataVolume: { name: dv } };
    return v;
  });
  const tspec = volumes ? { ...spec.template.spec, volumes } : spec.template.spec;
  return {
    ...spec,
    dataVolumeTemplates: dvs.map((t) => ({ ...t, metadata: { name: renamed.get(t.metadata.name)! } })),
    template: { ...spec.template, spec: tspec },
  };
}

/** The VM object of index `i` (labels and annotations from the template), controlled by the pool. */
function poolVm(p: PoolEntry, i: number): VirtualMachine {
  const meta = p.obj.spec.virtualMachineTemplate.metadata;
  const metadata: VirtualMachine['metadata'] & { ownerReferences: unknown[] } = { name: `${p.obj.metadata.name}-${i}`, ownerReferences: [ownerRef(p.obj)] };
  if (meta?.labels) metadata.labels = meta.labels;
  if (meta?.annotations) metadata.annotations = meta.annotations;
  const spec = JSON.parse(JSON.stringify(indexVmSpec(p.obj.spec.virtualMachineTemplate.spec, i))) as VirtualMachineSpec;
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata, spec };
}

function scale(c: Ctx, p: PoolEntry): void {
  const s = c.store;
  const mine = owned(s, p);
  const diff = mine.size - (p.obj.spec.replicas ?? 1);
  if (diff < 0) {
    let missing = -diff;
    for (let i = 0; missing > 0; i++) {
      if (mine.has(i) || s.get('VirtualMachine', `${p.obj.metadata.name}-${i}`)) continue;
      missing--;
      // an admission failure (missing instancetype) leaves the slot for the next reconcile
      putVm(s, poolVm(p, i));
    }
  } else if (diff > 0) {
    // deleting VMs already count toward the scale-in ([KV] scaleIn)
    const eligible = [...mine].filter(([, vm]) => !isDeleting(vm)).sort((a, b) => b[0] - a[0]);
    const deleting = mine.size - eligible.length;
    for (const [, vm] of eligible.slice(0, Math.max(0, diff - deleting))) deleteVm(s, vm, c.store.timestamp());
  }
}

/** status.replicas and status.readyReplicas. */
function writeStatus(c: Ctx, p: PoolEntry): void {
  let replicas = 0;
  let readyReplicas = 0;
  for (const vm of owned(c.store, p).values()) {
    replicas++;
    if (vm.obj.status.ready) readyReplicas++;
  }
  const st = p.obj.status;
  if (st.replicas === replicas && st.readyReplicas === readyReplicas) return;
  p.obj.status = { replicas, readyReplicas };
  c.store.touchStatus(p);
}
