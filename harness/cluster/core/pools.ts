/**
 * The VirtualMachinePool controller (R-I3, REFERENCE §8.3): keeps
 * `spec.replicas` (default 1) VMs named `<pool>-<index>`, the lowest free
 * index first ([KV] pool.go calculateNewVMNames); DataVolumeTemplates and
 * the volumes using them are renamed `<dv>-<index>` (indexVMSpec). VMs being
 * deleted still count (as KubeVirt's scale-in does), so a deleted pool VM is
 * recreated under its name once it is gone. Internal to the cluster core.
 *
 * Harness choices: scale-in removes the highest index (KubeVirt's
 * DescendingOrder policy; its default is random); a changed template applies
 * to new VMs only (no update strategy); VMs are owned by the pool that
 * created them (no adoption).
 */
import type { VirtualMachine, VirtualMachinePool, VirtualMachineSpec } from '../../api/types.ts';
import { OK, type Result } from '../../contract/index.ts';
import { ERR } from '../messages.ts';
import { eachByName, type CoreState, type PoolState, type VmState, type WorkloadStatus } from './CoreState.ts';
import { applyVm, requestVmDeletion } from './vmController.ts';

/** Applies (creates or updates) a pool; reconciled on settle. Internal. */
export function applyPool(s: CoreState, obj: VirtualMachinePool): Result {
  const p = s.vmPools.get(obj.metadata.name);
  if (p) p.obj = obj;
  else s.vmPools.set(obj.metadata.name, { name: obj.metadata.name, obj, owned: new Map() });
  return OK;
}

/** Deletes a pool and, cascading, its VMs (their VMIs and DataVolumes follow). Internal. */
export function deletePool(s: CoreState, name: string): Result {
  const p = s.vmPools.get(name);
  if (!p) return ERR.notFound('virtualmachinepools.pool.kubevirt.io', name);
  s.vmPools.delete(name);
  for (const vm of live(s, p).values()) deleteVm(s, vm);
  return OK;
}

function deleteVm(s: CoreState, vm: VmState): void {
  if (!vm.deleting) requestVmDeletion(s, vm);
}

/** The pool's VMs still in the API, by index (prunes removed ones). */
function live(s: CoreState, p: PoolState): Map<number, VmState> {
  for (const [i, vm] of p.owned) if (s.vms.get(vm.name) !== vm) p.owned.delete(i);
  return p.owned;
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

/** The VM object of index `i` (labels and annotations from the template). */
function poolVm(p: PoolState, i: number): VirtualMachine {
  const meta = p.obj.spec.virtualMachineTemplate.metadata;
  const metadata: VirtualMachine['metadata'] = { name: `${p.name}-${i}` };
  if (meta?.labels) metadata.labels = meta.labels;
  if (meta?.annotations) metadata.annotations = meta.annotations;
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata, spec: indexVmSpec(p.obj.spec.virtualMachineTemplate.spec, i) };
}

/** One pool; true when it created or deleted a VM. */
function reconcileOne(s: CoreState, p: PoolState): boolean {
  const owned = live(s, p);
  const diff = owned.size - (p.obj.spec.replicas ?? 1);
  if (diff < 0) {
    let acted = false;
    let missing = -diff;
    for (let i = 0; missing > 0; i++) {
      if (owned.has(i) || s.vms.has(`${p.name}-${i}`)) continue;
      missing--;
      // an admission failure (missing instancetype) leaves the slot for the next reconcile
      if (!applyVm(s, poolVm(p, i)).ok) continue;
      owned.set(i, s.vms.get(`${p.name}-${i}`)!);
      acted = true;
    }
    return acted;
  }
  if (diff > 0) {
    // deleting VMs already count toward the scale-in ([KV] scaleIn)
    const eligible = [...owned].filter(([, vm]) => !vm.deleting).sort((a, b) => b[0] - a[0]);
    const deleting = owned.size - eligible.length;
    const victims = eligible.slice(0, Math.max(0, diff - deleting));
    for (const [, vm] of victims) deleteVm(s, vm);
    return victims.length > 0;
  }
  return false;
}

/** Runs every pool once, in name order; true when any acted. Internal. */
export function reconcilePools(s: CoreState): boolean {
  return s.vmPools.size !== 0 && eachByName(s.vmPools, (x) => reconcileOne(s, x));
}

/** DESIRED / CURRENT / READY of a pool (status.replicas, status.readyReplicas). Internal. */
export function poolStatus(s: CoreState, p: PoolState): WorkloadStatus {
  let current = 0;
  let ready = 0;
  for (const vm of p.owned.values()) {
    if (s.vms.get(vm.name) !== vm) continue;
    current++;
    if (vm.vmi !== null && vm.vmi.phase === 'Running' && !vm.vmi.paused) ready++;
  }
  return { desired: p.obj.spec.replicas ?? 1, current, ready };
}
