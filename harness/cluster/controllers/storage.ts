/**
 * The storage controller (R-S1, R-S2; the roles of Kubernetes' PV controller
 * and pvc-protection, and CDI's DataVolume controller): binds claims
 * (Immediate ones at once, node-local ones to the node the scheduling rule
 * picks, WaitForFirstConsumer ones on their first consumer's node), asks the
 * agent to provision and delete volumes, removes a deleted claim once no VMI
 * uses it, and runs DataVolumes (import, clone, their claims). Keys are
 * `pvc/<name>` and `dv/<name>`. Internal to the cluster core.
 */
import type { DataSource, PersistentVolumeClaim, StorageClass } from '../../api/index.ts';
import { findImage } from '../../api/index.ts';
import type { VolumeSource } from '../agent.ts';
import { pickNode } from '../scheduler.ts';
import { FINAL, SELECTED_NODE, type ApiObject } from '../store/objects.ts';
import type { Store } from '../store/Store.ts';
import { nodesByLoad, type VmiEntry } from '../common/placement.ts';
import { newPvcRecord, type DvEntry, type PvcEntry } from '../common/storage.ts';
import { isDeleting } from '../common/vmis.ts';
import type { Controller, Ctx, Watch } from './Controller.ts';

const PVC = 'PersistentVolumeClaim';
const DV = 'DataVolume';
const NO_REQUEST = Object.freeze({ cpuMilli: 0, memBytes: 0, vfs: null, pinned: null });

const pendingClaims = (s: Store, enqueue: (key: string) => void): void => {
  for (const p of s.all<PvcEntry['obj'], PvcEntry['rec']>(PVC).values()) if (p.obj.status.phase === 'Pending' && !p.rec.provisioning) enqueue(`pvc/${p.obj.metadata.name}`);
};
const pendingDvs = (s: Store, enqueue: (key: string) => void): void => {
  for (const d of s.all<DvEntry['obj'], DvEntry['rec']>(DV).values()) if (d.obj.status.phase === 'Pending') enqueue(`dv/${d.obj.metadata.name}`);
};

const onPvc: Watch = (c, e, removed, enqueue) => {
  const p = e as PvcEntry;
  if (!removed) enqueue(`pvc/${p.obj.metadata.name}`);
  if (p.rec.dv !== null) enqueue(`dv/${p.rec.dv}`);
  pendingDvs(c.store, enqueue); // a clone waits for its source claim
};

/** An ended or removed VMI may free a claim being deleted. */
const onVmi: Watch = (c, e, removed, enqueue) => {
  const v = e as VmiEntry;
  if (!removed && !FINAL(v.obj.status.phase)) return;
  for (const claim of v.rec.claims) {
    const p = c.store.get(PVC, claim);
    if (p && isDeleting(p)) enqueue(`pvc/${claim}`);
  }
};

/** A Node applied (a new generation: not a cordon or a condition the core wrote) may take the claims that found no node. */
const onNode: Watch = (c, e, removed, enqueue) => {
  if (removed) return;
  const seen = (c.store.books.storage as { nodeGenerations: Record<string, number> }).nodeGenerations;
  const name = e.obj.metadata.name;
  if (seen[name] === e.obj.metadata.generation) return;
  seen[name] = e.obj.metadata.generation;
  pendingClaims(c.store, enqueue);
};

export const storageController: Controller = {
  name: 'storage',
  watches: {
    PersistentVolumeClaim: onPvc,
    DataVolume: (_c, e, removed, enqueue) => {
      if (!removed) enqueue(`dv/${e.obj.metadata.name}`);
    },
    StorageClass: (c, _e, removed, enqueue) => {
      if (removed) return;
      pendingClaims(c.store, enqueue);
      pendingDvs(c.store, enqueue);
    },
    Node: onNode,
    DataSource: (c, _e, removed, enqueue) => {
      if (!removed) pendingDvs(c.store, enqueue);
    },
    VirtualMachineInstance: onVmi,
  },
  reconcile(c, key) {
    const slash = key.indexOf('/');
    const name = key.slice(slash + 1);
    if (key.startsWith('pvc/')) {
      const p = c.store.get(PVC, name) as PvcEntry | undefined;
      if (p) reconcileClaim(c, p);
    } else {
      const d = c.store.get(DV, name) as DvEntry | undefined;
      if (d) reconcileDataVolume(c, d);
    }
  },
};

/** True when a scheduled, non-final VMI uses the claim. */
function inUse(s: Store, claim: string): boolean {
  for (const v of s.all<VmiEntry['obj'], VmiEntry['rec']>('VirtualMachineInstance').values()) {
    if (!FINAL(v.obj.status.phase) && v.obj.status.nodeName !== undefined && v.rec.claims.includes(claim)) return true;
  }
  return false;
}

function reconcileClaim(c: Ctx, p: PvcEntry): void {
  const s = c.store;
  if (isDeleting(p)) {
    if (inUse(s, p.obj.metadata.name)) return; // pvc-protection: removed once no VMI uses it
    s.remove(p);
    if (p.rec.provisioning || p.obj.status.phase === 'Bound') c.emit({ type: 'deleteVolume', pvc: p.obj.metadata.name });
    return;
  }
  if (p.obj.status.phase !== 'Pending' || p.rec.provisioning) return;
  if (p.rec.consumerNode !== null) provision(c, p, p.rec.consumerNode);
  else bindIfImmediate(c, p, false);
}

/** The StorageClass a claim names, if it exists. */
function storageClass(s: Store, p: PvcEntry): StorageClass | undefined {
  const name = (p.obj.spec as PersistentVolumeClaim['spec']).storageClassName;
  return name === undefined ? undefined : (s.obj('StorageClass', name) as (ApiObject & StorageClass) | undefined);
}

/** Immediate binding (and DataVolume claims, `force`): provision now; a WaitForFirstConsumer claim waits for its consumer. */
function bindIfImmediate(c: Ctx, p: PvcEntry, force: boolean): void {
  const s = c.store;
  const sc = storageClass(s, p);
  if (!sc) return;
  const r = p.rec;
  const storage = sc.provisioner === 'vmconform.io/local' ? 'local' : 'shared';
  const wffc = sc.volumeBindingMode === 'WaitForFirstConsumer';
  const changed = r.storage !== storage || r.wffc !== wffc;
  r.storage = storage;
  r.wffc = wffc;
  if (!wffc || force) {
    if (storage === 'shared') return provision(c, p, null);
    const node = pickNode(nodesByLoad(s), NO_REQUEST, null);
    if (node) return provision(c, p, node.name);
  }
  if (changed) s.touch(p);
}

/** Asks the agent to provision a claim's volume (on `node` for local storage). */
function provision(c: Ctx, p: PvcEntry, node: string | null): void {
  const r = p.rec;
  r.node = r.storage === 'local' ? node : null;
  r.provisioning = true;
  if (r.node !== null) p.obj.metadata.annotations = { ...p.obj.metadata.annotations, [SELECTED_NODE]: r.node };
  c.emit({ type: 'provisionVolume', pvc: p.obj.metadata.name, storage: r.storage ?? 'shared', node: r.node, sizeBytes: r.sizeBytes, source: r.source });
  c.store.touch(p);
}

function reconcileDataVolume(c: Ctx, d: DvEntry): void {
  const phase = d.obj.status.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return;
  const p = c.store.get(PVC, d.obj.metadata.name) as PvcEntry | undefined;
  const own = p !== undefined && p.rec.dv === d.obj.metadata.name;
  if (own && p.rec.failed) setPhase(c, d, 'Failed');
  else if (own && p.obj.status.phase === 'Bound') setPhase(c, d, 'Succeeded');
  else if (phase === 'Pending') startDv(c, d);
}

function setPhase(c: Ctx, d: DvEntry, phase: DvEntry['obj']['status']['phase']): void {
  if (d.obj.status.phase === phase) return;
  d.obj.status.phase = phase;
  c.store.touch(d);
}

/** Starts a pending DataVolume once its source and StorageClass exist. */
function startDv(c: Ctx, d: DvEntry): void {
  const s = c.store;
  const spec = d.obj.spec as { source?: { registry?: { url: string }; pvc?: { name: string } }; sourceRef?: { name: string }; storage?: { accessModes?: PersistentVolumeClaim['spec']['accessModes']; resources?: { requests?: { storage?: string } }; storageClassName?: string } };
  let source: VolumeSource = { kind: 'blank' };
  if (spec.source?.registry) {
    const img = findImage(spec.source.registry.url);
    if (!img) return setPhase(c, d, 'Failed');
    source = { kind: 'image', image: img.ref, format: img.format };
  } else if (spec.sourceRef || spec.source?.pvc) {
    let from: string | undefined = spec.source?.pvc?.name;
    if (spec.sourceRef) from = (s.obj('DataSource', spec.sourceRef.name) as (ApiObject & DataSource) | undefined)?.spec.source.pvc.name;
    const src = from === undefined ? undefined : (s.get(PVC, from) as PvcEntry | undefined);
    if (!src || src.obj.status.phase !== 'Bound') return; // waits for its source
    source = { kind: 'clone', fromPvc: src.obj.metadata.name };
  }
  const name = d.obj.metadata.name;
  let p = s.get(PVC, name) as PvcEntry | undefined;
  if (!p) {
    const storage = spec.storage ?? {};
    const pvcSpec: PersistentVolumeClaim['spec'] = {
      accessModes: storage.accessModes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: storage.resources?.requests?.storage ?? '1Gi' } },
      ...(storage.storageClassName !== undefined ? { storageClassName: storage.storageClassName } : {}),
    };
    const owner = { apiVersion: d.obj.apiVersion, kind: DV, name, uid: d.obj.metadata.uid, controller: true };
    const obj = { apiVersion: 'v1', kind: PVC, metadata: { name, ownerReferences: [owner] }, spec: pvcSpec, status: { phase: 'Pending' } };
    p = s.create(obj as unknown as PvcEntry['obj'], newPvcRecord(pvcSpec, name, source)) as PvcEntry;
  }
  if (!storageClass(s, p)) return;
  setPhase(c, d, source.kind === 'clone' ? 'CloneInProgress' : 'ImportInProgress');
  if (!p.rec.provisioning && p.obj.status.phase === 'Pending') bindIfImmediate(c, p, true);
}
