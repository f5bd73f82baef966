/**
 * Storage: PersistentVolumeClaims (binding, provisioning, pvc-protection)
 * and DataVolumes (import, clone, their PVCs), and the agent's volume events.
 * Internal to the cluster core.
 */
import type { DataSource, DataVolumeSpec, PersistentVolumeClaim, StorageClass, VirtualMachineInstanceSpec } from '../../api/types.ts';
import { findImage } from '../../api/images.ts';
import { parseQuantity } from '../../api/quantity.ts';
import type { AgentEvent, VolumeSource } from '../agent.ts';
import { pickNode } from '../scheduler.ts';
import { FINAL, emit, type CoreState, type PvcState, type DvState } from './CoreState.ts';
import { getObject } from './objectStore.ts';
import { retryWaiting } from './vmiLifecycle.ts';

/** Applies a PVC (a DataVolume's when `dv` is set); an existing one only gets the new object. Internal. */
export function applyPvc(s: CoreState, obj: PersistentVolumeClaim, dv: string | null, source: VolumeSource = { kind: 'blank' }): PvcState {
  const existing = s.pvcs.get(obj.metadata.name);
  if (existing) {
    existing.obj = obj;
    return existing;
  }
  const p: PvcState = {
    name: obj.metadata.name,
    obj,
    phase: 'Pending',
    node: null,
    storage: null,
    wffc: false,
    sizeBytes: parseQuantity(obj.spec.resources.requests.storage) ?? 0,
    rwx: obj.spec.accessModes.includes('ReadWriteMany'),
    provisioning: false,
    source,
    dv,
    deleting: false,
  };
  s.pvcs.set(p.name, p);
  if (dv === null) bindIfImmediate(s, p);
  retryWaiting(s);
  return p;
}

/** The StorageClass a PVC names, if it exists. */
function storageClass(s: CoreState, p: PvcState): StorageClass | undefined {
  const name = p.obj.spec.storageClassName;
  return name === undefined ? undefined : getObject<StorageClass>(s, 'StorageClass', name);
}

/** Immediate binding (and DataVolume PVCs): provision now. */
export function bindIfImmediate(s: CoreState, p: PvcState, force = false): void {
  const sc = storageClass(s, p);
  if (!sc) return;
  p.storage = sc.provisioner === 'vmconform.io/local' ? 'local' : 'shared';
  p.wffc = sc.volumeBindingMode === 'WaitForFirstConsumer';
  if (p.wffc && !force) return;
  if (p.storage === 'local') {
    const node = pickNode(s.sortedNodes, { cpu: 0, memMiB: 0, vfs: null, pinned: null }, null);
    if (!node) return;
    provision(s, p, node.name);
  } else provision(s, p, null);
}

/** Asks the agent to provision a PVC's volume (on `node` for local storage). Internal. */
export function provision(s: CoreState, p: PvcState, node: string | null): void {
  s.version++;
  p.node = p.storage === 'local' ? node : null;
  p.provisioning = true;
  emit(s, { type: 'provisionVolume', pvc: p.name, storage: p.storage ?? 'shared', node: p.node, sizeBytes: p.sizeBytes, source: p.source });
}

/** Deletes a PVC, or marks it while a VMI still uses it (pvc-protection). Internal. */
export function deletePvc(s: CoreState, p: PvcState): void {
  p.deleting = true;
  if (pvcInUse(s, p.name)) return; // pvc-protection: removed once no VMI uses it
  s.pvcs.delete(p.name);
  if (p.provisioning || p.phase === 'Bound') emit(s, { type: 'deleteVolume', pvc: p.name });
}

/** True when a scheduled, non-final VMI uses the claim. Internal. */
export function pvcInUse(s: CoreState, claim: string): boolean {
  for (const v of s.vmis.values()) if (!FINAL(v.phase) && v.node !== null && v.claims.includes(claim)) return true;
  return false;
}

/** Applies a DataVolume (standalone or owned by a VM); an existing one is kept. Internal. */
export function applyDv(s: CoreState, name: string, spec: DataVolumeSpec, ownerVm: string | null): void {
  if (s.dvs.has(name)) return;
  const d: DvState = { name, spec, phase: 'Pending', ownerVm };
  s.dvs.set(name, d);
  startDv(s, d);
}

/** Starts a pending DataVolume once its source and StorageClass exist. Internal. */
export function startDv(s: CoreState, d: DvState): void {
  if (d.phase !== 'Pending') return;
  let source: VolumeSource = { kind: 'blank' };
  const spec = d.spec;
  if (spec.source?.registry) {
    const url = spec.source.registry.url;
    const img = findImage(url);
    if (!img) {
      d.phase = 'Failed';
      return;
    }
    source = { kind: 'image', image: img.ref, format: img.format };
  } else if (spec.sourceRef || spec.source?.pvc) {
    let from: string | undefined = spec.source?.pvc?.name;
    if (spec.sourceRef) from = getObject<DataSource>(s, 'DataSource', spec.sourceRef.name)?.spec.source.pvc.name;
    const src = from === undefined ? undefined : s.pvcs.get(from);
    if (!src || src.phase !== 'Bound') return; // waits for its source
    source = { kind: 'clone', fromPvc: src.name };
  }
  const storage = spec.storage ?? {};
  const pvc: PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: d.name },
    spec: {
      accessModes: storage.accessModes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: storage.resources?.requests?.storage ?? '1Gi' } },
      ...(storage.storageClassName !== undefined ? { storageClassName: storage.storageClassName } : {}),
    },
  };
  const p = s.pvcs.get(d.name) ?? applyPvc(s, pvc, d.name, source);
  if (!storageClass(s, p)) return;
  d.phase = source.kind === 'clone' ? 'CloneInProgress' : 'ImportInProgress';
  if (!p.provisioning && p.phase === 'Pending') bindIfImmediate(s, p, true);
}

/** Deletes a DataVolume and its own PVC. Internal. */
export function deleteDv(s: CoreState, d: DvState): void {
  s.dvs.delete(d.name);
  const p = s.pvcs.get(d.name);
  if (p && p.dv === d.name) deletePvc(s, p);
}

/** Claim names behind a VMI spec's volumes. */
export function claimsOf(spec: VirtualMachineInstanceSpec): string[] {
  const out: string[] = [];
  for (const v of spec.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push(v.persistentVolumeClaim.claimName);
    else if (v.dataVolume) out.push(v.dataVolume.name);
  }
  return out;
}

/** The agent's answer to a provisionVolume effect. Internal. */
export function onVolumeEvent(s: CoreState, ev: Extract<AgentEvent, { type: 'volumeReady' | 'volumeFailed' }>): void {
  s.version++;
  const p = s.pvcs.get(ev.pvc);
  if (ev.type === 'volumeFailed') {
    if (p?.dv) {
      const d = s.dvs.get(p.dv);
      if (d) d.phase = 'Failed';
    }
    return;
  }
  if (!p) return;
  p.phase = 'Bound';
  p.provisioning = false;
  if (p.dv) {
    const d = s.dvs.get(p.dv);
    if (d && d.phase !== 'Failed') d.phase = 'Succeeded';
  }
  for (const d of s.dvs.values()) if (d.phase === 'Pending') startDv(s, d);
  retryWaiting(s);
}
