/**
 * The VirtualMachineInstanceReplicaSet controller (R-I3, REFERENCE §8.4):
 * keeps `spec.replicas` (default 1) active VMIs. Final VMIs are deleted
 * first, then missing ones created, surplus ones deleted (not yet Running
 * first, then newest). VMI names are the template's `name` or
 * `generateName`, else the RS name, plus a 5-character suffix drawn from the
 * seed and a counter (the API server's generateName, made deterministic).
 * Internal to the cluster core.
 *
 * Harness choices: VMIs are owned by the RS that created them (no adoption
 * of orphans by labels); a changed template applies to new VMIs only.
 */
import type { VirtualMachineInstanceReplicaSet } from '../../api/types.ts';
import { OK, type Result } from '../../contract/index.ts';
import { ERR } from '../messages.ts';
import { FINAL, eachByName, type CoreState, type ReplicaSetState, type VmiState, type WorkloadStatus } from './CoreState.ts';
import { createVmi, deleteVmi } from './vmiLifecycle.ts';
import { template } from './vmiTemplate.ts';

/** The API server's generateName alphabet (no vowels, no look-alikes). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** Kubernetes keeps generated names within 63 characters: base ≤ 58 + 5. */
const MAX_BASE = 58;

/** Applies (creates or updates) a replica set; reconciled on settle. Internal. */
export function applyReplicaSet(s: CoreState, obj: VirtualMachineInstanceReplicaSet): Result {
  const rs = s.replicaSets.get(obj.metadata.name);
  if (rs) {
    rs.obj = obj;
    rs.tmpl = null;
  } else s.replicaSets.set(obj.metadata.name, { name: obj.metadata.name, obj, owned: [], tmpl: null });
  return OK;
}

/** Deletes a replica set and, cascading, its VMIs. Internal. */
export function deleteReplicaSet(s: CoreState, name: string): Result {
  const rs = s.replicaSets.get(name);
  if (!rs) return ERR.notFound('virtualmachineinstancereplicasets.kubevirt.io', name);
  s.replicaSets.delete(name);
  for (const v of live(s, rs)) if (!v.deleting) deleteVmi(s, v, null);
  return OK;
}

/** The RS's VMIs still in the API (prunes removed ones). */
function live(s: CoreState, rs: ReplicaSetState): VmiState[] {
  rs.owned = rs.owned.filter((v) => s.vmis.get(v.name) === v);
  return rs.owned;
}

/** Counted toward replicas: not final and not being deleted ([KV] filterActiveVMIs). */
const active = (v: VmiState): boolean => !FINAL(v.phase) && !v.deleting;

/** A deterministic 5-character suffix from the seed and the counter (FNV-1a, then 5 base-27 digits of its 32 bits). */
function suffix(s: CoreState): string {
  let h = 0x811c9dc5;
  const key = `${s.seed}/${++s.generatedNames}`;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h >>>= 0;
  let out = '';
  for (let i = 0; i < 5; i++) {
    out += SUFFIX_ALPHABET[h % SUFFIX_ALPHABET.length];
    h = Math.floor(h / SUFFIX_ALPHABET.length);
  }
  return out;
}

/** A free VMI name for the RS ([KV] getVirtualMachineBaseName + generateName). */
function vmiName(s: CoreState, rs: ReplicaSetState): string {
  const meta = rs.obj.spec.template.metadata;
  const base = (meta?.name || meta?.generateName || rs.name).slice(0, MAX_BASE);
  for (;;) {
    const name = base + suffix(s);
    if (!s.vmis.has(name) && !s.vms.has(name)) return name;
  }
}

/** One replica set; true when it created or deleted a VMI. */
function reconcileOne(s: CoreState, rs: ReplicaSetState): boolean {
  let acted = false;
  for (const v of live(s, rs)) {
    if (FINAL(v.phase) && !v.deleting) {
      deleteVmi(s, v, null);
      acted = true;
    }
  }
  const owned = live(s, rs);
  const current = owned.filter(active);
  const diff = current.length - (rs.obj.spec.replicas ?? 1);
  if (diff < 0) {
    if (!rs.tmpl || rs.tmpl.version !== s.version) rs.tmpl = template(s, rs.obj.spec.template.spec);
    for (let i = diff; i < 0; i++) owned.push(createVmi(s, vmiName(s, rs), null, rs.tmpl, false));
    return true;
  }
  if (diff > 0) {
    const running = (v: VmiState) => (v.phase === 'Running' ? 1 : 0);
    const victims = [...current].sort((a, b) => running(a) - running(b) || b.seq - a.seq).slice(0, diff);
    for (const v of victims) deleteVmi(s, v, null);
    return true;
  }
  return acted;
}

/** Runs every replica set once, in name order; true when any acted. Internal. */
export function reconcileReplicaSets(s: CoreState): boolean {
  return s.replicaSets.size !== 0 && eachByName(s.replicaSets, (x) => reconcileOne(s, x));
}

/** DESIRED / CURRENT / READY of a replica set (status.replicas, status.readyReplicas). Internal. */
export function replicaSetStatus(s: CoreState, rs: ReplicaSetState): WorkloadStatus {
  const current = rs.owned.filter((v) => s.vmis.get(v.name) === v && active(v));
  return {
    desired: rs.obj.spec.replicas ?? 1,
    current: current.length,
    ready: current.filter((v) => v.phase === 'Running' && !v.paused).length,
  };
}
