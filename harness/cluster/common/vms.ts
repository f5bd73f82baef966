/**
 * VirtualMachine objects: admission that needs cluster state (not being
 * deleted, a referenced instancetype / preference exists, R-I1) and the
 * create-or-update of the object with its record. Shared by the commands
 * (kubectl apply) and the pool controller. Internal to the cluster core.
 */
import type { InstancetypeSpec, PreferenceSpec, RunStrategy, VirtualMachine, VirtualMachineInstanceSpec } from '../../api/index.ts';
import { applyInstancetype } from '../../api/index.ts';
import { OK, type Result } from '../../contract/index.ts';
import { ERR } from '../messages.ts';
import type { ApiObject, VmStatus } from '../store/objects.ts';
import type { VmRecord } from '../store/records.ts';
import type { Entry, Store } from '../store/Store.ts';
import type { VmiEntry } from './placement.ts';
import { controllerOf, isDeleting } from './vmis.ts';

export type VmEntry = Entry<ApiObject & Omit<VirtualMachine, 'metadata'> & { status: VmStatus }, VmRecord>;

/** The effective run strategy (`running: true` reads as Always). */
export function runStrategy(spec: VirtualMachine['spec']): RunStrategy {
  return spec.runStrategy ?? (spec.running ? 'Always' : 'Halted');
}

/** Applies a VirtualMachine: a new object, or the new spec on the existing one. */
export function putVm(s: Store, obj: VirtualMachine): Result {
  const name = obj.metadata.name;
  const existing = s.get('VirtualMachine', name) as VmEntry | undefined;
  if (existing && isDeleting(existing)) return ERR.conflict(`Operation cannot be fulfilled on virtualmachines.kubevirt.io "${name}": the object is being deleted`);
  const resolved = resolveVmSpec(s, obj);
  if (!resolved.ok) return resolved.result;
  const dvNames = (obj.spec.dataVolumeTemplates ?? []).map((t) => t.metadata.name);
  if (!existing) {
    const stored = { ...obj, metadata: { ...obj.metadata }, spec: { ...obj.spec }, status: { printableStatus: 'Stopped', ready: false, created: false, runStrategy: undefined, stateChangeRequests: undefined, startFailure: undefined, conditions: [] } } as unknown as VmEntry['obj'];
    s.create(stored, { spec: resolved.spec, dvNames, recreate: false, startPaused: false, dvsFor: 0 } satisfies VmRecord);
    return OK;
  }
  const o = existing.obj;
  o.spec = { ...obj.spec }; // virtctl start / stop write spec.runStrategy
  const meta = obj.metadata;
  if (meta.labels) o.metadata.labels = meta.labels;
  else delete o.metadata.labels;
  if (meta.annotations) o.metadata.annotations = meta.annotations;
  else delete o.metadata.annotations;
  o.metadata.generation++;
  existing.rec.spec = resolved.spec;
  existing.rec.dvNames = dvNames;
  s.touch(existing);
  return OK;
}

/** A referenced instancetype or preference (cluster-wide by default, R-I1) must exist. */
function resolveVmSpec(s: Store, obj: VirtualMachine): { ok: true; spec: VirtualMachineInstanceSpec } | { ok: false; result: Result } {
  const itRef = obj.spec.instancetype;
  const itKind = itRef?.kind ?? 'VirtualMachineClusterInstancetype';
  const it = itRef && (s.obj(itKind, itRef.name) as { spec: InstancetypeSpec } | undefined);
  if (itRef && !it) return { ok: false, result: ERR.instancetypeNotFound(itKind, itRef.name) };
  const pRef = obj.spec.preference;
  const pKind = pRef?.kind ?? 'VirtualMachineClusterPreference';
  const pref = pRef && (s.obj(pKind, pRef.name) as { spec: PreferenceSpec } | undefined);
  if (pRef && !pref) return { ok: false, result: ERR.preferenceNotFound(pKind, pRef.name) };
  return { ok: true, spec: applyInstancetype(obj.spec, it?.spec, pref?.spec) };
}

/** Asks for a VM's deletion (its VMI, DataVolumes and finalizer are the VM controller's work). */
export function deleteVm(s: Store, e: VmEntry, now: string): void {
  if (isDeleting(e)) return;
  e.obj.metadata.deletionTimestamp = now;
  s.touch(e);
}

/** The VM's VMI: the one of its name that it controls. */
export function vmiOf(s: Store, vm: VmEntry): VmiEntry | null {
  const v = s.get('VirtualMachineInstance', vm.obj.metadata.name) as VmiEntry | undefined;
  return v && controllerOf(v.obj.metadata)?.uid === vm.obj.metadata.uid ? v : null;
}
