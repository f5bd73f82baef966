/**
 * The VirtualMachineInstanceReplicaSet controller (R-I3, docs/kubevirt-reference.md §8.4;
 * KubeVirt pkg/virt-controller/watch/replicaset/replicaset.go): keeps
 * `spec.replicas` (default 1) active VMIs. Final VMIs are deleted first,
 * then missing ones created, surplus ones deleted (not yet Running first,
 * then newest). VMI names are the template's `name` or `generateName`, else
 * the RS name, plus a 5-character suffix drawn from the seed and a counter
 * (the API server's generateName, made deterministic). The VMIs of a deleted
 * replica set are deleted (the garbage collector's cascade). Internal to the
 * cluster core.
 *
 * Harness choices: VMIs are owned by the RS that created them (no adoption
 * of orphans by labels); a changed template applies to new VMIs only.
 */
import type { VirtualMachineInstanceReplicaSet } from '../../api/index.ts';
import { FINAL, type ApiObject, type WorkloadStatus } from '../store/objects.ts';
import type { Entry, Store } from '../store/Store.ts';
import type { VmiEntry } from '../common/placement.ts';
import { template } from '../common/template.ts';
import { controllerOf, createVmi, deleteVmi, isDeleting, ownerRef } from '../common/vmis.ts';
import type { Controller, Ctx } from './Controller.ts';
import { nameSuffix, seededHash } from '../common/seeded.ts';

const RS = 'VirtualMachineInstanceReplicaSet';

export type RsEntry = Entry<ApiObject & Omit<VirtualMachineInstanceReplicaSet, 'metadata'> & { status: WorkloadStatus }, null>;

/** Kubernetes keeps generated names within 63 characters: base ≤ 58 + 5. */
const MAX_BASE = 58;

export const replicaSetController: Controller = {
  name: 'replicaset',
  watches: {
    VirtualMachineInstanceReplicaSet: (_c, e, _removed, enqueue) => enqueue(e.obj.metadata.name),
    VirtualMachineInstance: (c, e, _removed, enqueue) => {
      if (c.store.count(RS) === 0) return; // a deleted replica set's cascade was queued by its removal
      const o = controllerOf(e.obj.metadata);
      if (o?.kind === RS) enqueue(o.name);
    },
  },
  reconcile(c, name) {
    const rs = c.store.get(RS, name) as RsEntry | undefined;
    if (!rs) return cascade(c, name);
    scale(c, rs);
    writeStatus(c, rs);
  },
};

/** The VMIs a replica set controls (by uid), oldest first. */
function owned(s: Store, uid: string): VmiEntry[] {
  const out: VmiEntry[] = [];
  for (const v of s.all<VmiEntry['obj'], VmiEntry['rec']>('VirtualMachineInstance').values()) if (controllerOf(v.obj.metadata)?.uid === uid) out.push(v);
  return out.sort((a, b) => a.rec.seq - b.rec.seq);
}

/** Counted toward replicas: not final and not being deleted ([KV] filterActiveVMIs). */
const active = (v: VmiEntry): boolean => !FINAL(v.obj.status.phase) && !isDeleting(v);

/** A deleted replica set's VMIs go too. */
function cascade(c: Ctx, name: string): void {
  for (const v of c.store.all<VmiEntry['obj'], VmiEntry['rec']>('VirtualMachineInstance').values()) {
    const o = controllerOf(v.obj.metadata);
    if (o?.kind === RS && o.name === name && !isDeleting(v)) deleteVmi(c.store, v, c.store.timestamp());
  }
}

/** A free VMI name for the RS ([KV] getVirtualMachineBaseName + generateName). */
function vmiName(s: Store, rs: RsEntry): string {
  const meta = rs.obj.spec.template.metadata;
  const base = (meta?.name || meta?.generateName || rs.obj.metadata.name).slice(0, MAX_BASE);
  for (;;) {
    const name = base + nameSuffix(seededHash(s.seed, String(++s.counters.generatedNames)));
    if (!s.get('VirtualMachineInstance', name) && !s.get('VirtualMachine', name)) return name;
  }
}

function scale(c: Ctx, rs: RsEntry): void {
  const s = c.store;
  const mine = owned(s, rs.obj.metadata.uid);
  for (const v of mine) if (FINAL(v.obj.status.phase) && !isDeleting(v)) deleteVmi(s, v, c.store.timestamp());
  const current = mine.filter(active);
  const diff = current.length - (rs.obj.spec.replicas ?? 1);
  if (diff < 0) {
    const tmpl = template(s, rs.obj.spec.template.spec);
    for (let i = diff; i < 0; i++) createVmi(s, vmiName(s, rs), ownerRef(rs.obj), tmpl, false, rs.obj.spec.template.metadata?.labels);
  } else if (diff > 0) {
    const running = (v: VmiEntry) => (v.obj.status.phase === 'Running' ? 1 : 0);
    const victims = [...current].sort((a, b) => running(a) - running(b) || b.rec.seq - a.rec.seq).slice(0, diff);
    for (const v of victims) deleteVmi(s, v, c.store.timestamp());
  }
}

/** status.replicas and status.readyReplicas. */
function writeStatus(c: Ctx, rs: RsEntry): void {
  const current = owned(c.store, rs.obj.metadata.uid).filter(active);
  const replicas = current.length;
  const readyReplicas = current.filter((v) => v.obj.status.phase === 'Running' && !v.rec.paused).length;
  const st = rs.obj.status;
  if (st.replicas === replicas && st.readyReplicas === readyReplicas) return;
  rs.obj.status = { replicas, readyReplicas };
  c.store.touchStatus(rs);
}
