/**
 * Deleting claims and DataVolumes: a deletionTimestamp the storage
 * controller acts on (pvc-protection keeps a claim while a VMI uses it).
 * Shared by the commands, the VM controller (DataVolumes of its templates)
 * and the storage controller. Internal to the cluster core.
 */
import type { PersistentVolumeClaim } from '../../api/index.ts';
import { parseQuantity } from '../../api/index.ts';
import type { VolumeSource } from '../agent.ts';
import type { ApiObject } from '../store/objects.ts';
import type { DvRecord, PvcRecord } from '../store/records.ts';
import type { Entry, Store } from '../store/Store.ts';

export type PvcEntry = Entry<ApiObject & { status: { phase: 'Pending' | 'Bound' | 'Lost'; capacity?: { storage: string } } }, PvcRecord>;
export type DvEntry = Entry<ApiObject & { status: { phase: 'Pending' | 'ImportInProgress' | 'CloneInProgress' | 'Succeeded' | 'Failed' } }, DvRecord>;

/** The pvc-protection finalizer ([K8s] pkg/controller/volume/pvcprotection). */
export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';

/** Asks for a claim's deletion. */
export function deletePvc(s: Store, p: PvcEntry, now: string): void {
  p.obj.metadata.deletionTimestamp ??= now;
  s.touch(p);
}

/** Deletes a DataVolume now and asks for its own claim's deletion. */
export function deleteDv(s: Store, d: DvEntry, now: string): void {
  s.remove(d);
  const p = s.get('PersistentVolumeClaim', d.obj.metadata.name) as PvcEntry | undefined;
  if (p && p.rec.dv === d.obj.metadata.name) deletePvc(s, p, now);
}

/** The record of a new claim (a DataVolume's when `dv` is set). */
export function newPvcRecord(spec: PersistentVolumeClaim['spec'], dv: string | null, source: VolumeSource = { kind: 'blank' }): PvcRecord {
  return {
    node: null,
    storage: null,
    wffc: false,
    sizeBytes: parseQuantity(spec.resources.requests.storage) ?? 0,
    rwx: spec.accessModes.includes('ReadWriteMany'),
    provisioning: false,
    source,
    consumerNode: null,
    dv,
    failed: false,
  };
}
