/**
 * The node / evacuation controller (R-M6; KubeVirt
 * pkg/virt-controller/watch/drain/evacuation/evacuation.go and the node
 * controller): keeps the scheduler's record of a Node in step with the
 * object (readiness, capacity, VF pools, cordon), and evacuates a drained
 * node once per drain request. Internal to the cluster core.
 *
 * Harness choices: LiveMigrate(+IfPossible) migratable VMIs get a migration
 * named like the verb's; LiveMigrate non-migratable ones block (stay); None
 * and LiveMigrateIfPossible non-migratable ones are shut down (graceful, VMI
 * kept, owner reacts per its strategy). No retry of failed evacuations.
 */
import type { Node } from '../../api/index.ts';
import { parseQuantity } from '../../api/index.ts';
import { FINAL, type ApiObject } from '../store/objects.ts';
import type { NodeRecord } from '../store/records.ts';
import type { Entry } from '../store/Store.ts';
import { clusterDefaults } from '../common/cluster.ts';
import { createMigration } from '../common/migrations.ts';
import { publishVfs, type VmiEntry } from '../common/placement.ts';
import { MiB } from '../common/template.ts';
import { deleteVmi } from '../common/vmis.ts';
import { byName, type Controller, type Ctx } from './Controller.ts';

export type NodeEntry = Entry<ApiObject & Omit<Node, 'metadata'> & { spec?: { unschedulable?: boolean } }, NodeRecord>;

export const evacuationController: Controller = {
  name: 'evacuation',
  watches: {
    Node: byName,
  },
  reconcile(c, name) {
    const e = c.store.get('Node', name) as NodeEntry | undefined;
    if (!e) return;
    sync(c, e);
    if (e.rec.drains > e.rec.drainsHandled) {
      e.rec.drainsHandled = e.rec.drains;
      evacuate(c, e);
    }
  },
};

/** The record from the object: readiness, cpu / memory capacity, VF pools, cordon. */
function sync(c: Ctx, e: NodeEntry): void {
  const r = e.rec;
  const cap = e.obj.status.capacity;
  r.ready = (e.obj.status.conditions ?? []).every((x) => x.type !== 'Ready' || x.status === 'True');
  r.schedulable = e.obj.spec?.unschedulable !== true;
  r.cpu = cap.cpu !== undefined ? (parseQuantity(cap.cpu) ?? null) : null;
  r.memMiB = cap.memory !== undefined ? ((parseQuantity(cap.memory) ?? null) === null ? null : parseQuantity(cap.memory)! / MiB) : null;
  for (const [k, v] of Object.entries(cap)) {
    if (k === 'cpu' || k === 'memory') continue;
    const capacity = Math.floor(parseQuantity(v) ?? 0);
    const pool = r.vfs[k];
    if (pool) pool.capacity = capacity;
    else r.vfs[k] = { capacity, used: [], inUse: 0 };
  }
  publishVfs(c.store, r);
}

/** Evicts the node's VMIs per evictionStrategy, oldest first. */
function evacuate(c: Ctx, e: NodeEntry): void {
  const s = c.store;
  const vmis = e.rec.vmis
    .map((n) => s.get('VirtualMachineInstance', n) as VmiEntry)
    .filter((v) => v !== undefined)
    .sort((a, b) => a.rec.seq - b.rec.seq);
  for (const v of vmis) {
    const r = v.rec;
    if (FINAL(v.obj.status.phase) || r.activeMigration !== null || r.shuttingDown) continue;
    const strategy = (v.obj.spec as { evictionStrategy?: string }).evictionStrategy ?? clusterDefaults(s).evictionStrategy;
    const migratable = r.migratable.status === 'True' && v.obj.status.phase === 'Running';
    if ((strategy === 'LiveMigrate' || strategy === 'LiveMigrateIfPossible') && migratable) createMigration(s, v.obj.metadata.name, null);
    else if (strategy === 'None' || strategy === 'LiveMigrateIfPossible') {
      if (r.launched) {
        r.shuttingDown = true;
        c.emit({ type: 'shutdown', uid: v.obj.metadata.uid, graceSeconds: r.grace });
        s.touch(v);
      } else deleteVmi(s, v, c.store.timestamp());
    }
  }
}
