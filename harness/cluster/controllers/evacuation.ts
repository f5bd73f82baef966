/**
 * The node / evacuation controller (R-M6; KubeVirt
 * pkg/virt-controller/watch/drain/evacuation/evacuation.go and the node
 * controller): keeps the scheduler's record of a Node in step with the
 * object (readiness, capacity, VF pools, cordon), and evacuates a drained
 * node once per drain request. Internal to the cluster core.
 *
 * A failed evacuation is retried while the node stays drained (evacuation.go
 * `sync` runs on node, VMI and migration events and creates a migration for
 * every VMI to evacuate that has none active), each retry after the
 * migration controller's backoff for evacuation migrations (migration.go
 * `handleMigrationBackoff`: 20 s after the last failure, doubled per
 * consecutive failure), a timer on the core's clock.
 *
 * Harness choices: LiveMigrate(+IfPossible) migratable VMIs get a migration
 * named like the verb's; LiveMigrate non-migratable ones block (stay); None
 * and LiveMigrateIfPossible non-migratable ones are shut down (graceful, VMI
 * kept, owner reacts per its strategy). A VMI's evacuation is given up after
 * MAX_EVACUATION_FAILURES consecutive failures (KubeVirt retries forever), so
 * that a drain with no possible target ends (docs/harness-choices.md §5).
 */
import type { Node } from '../../api/index.ts';
import { parseQuantity } from '../../api/index.ts';
import { FINAL, type ApiObject } from '../store/objects.ts';
import type { NodeRecord } from '../store/records.ts';
import type { Entry } from '../store/Store.ts';
import { clusterDefaults } from '../common/cluster.ts';
import { createMigration, migrationBook, type VmimEntry } from '../common/migrations.ts';
import { publishVfs, type VmiEntry } from '../common/placement.ts';
import { deleteVmi } from '../common/vmis.ts';
import { byName, type Controller, type Ctx, type Watch } from './Controller.ts';

export type NodeEntry = Entry<ApiObject & Omit<Node, 'metadata'> & { spec?: { unschedulable?: boolean } }, NodeRecord>;

/** Consecutive failed evacuation migrations of a VMI after which the harness stops retrying. */
export const MAX_EVACUATION_FAILURES = 3;
/** migration.go handleMigrationBackoff: the first retry waits 20 s after the failure, each next one twice as long. */
const EVACUATION_BACKOFF_MS = 20_000;

/** A failed evacuation migration: its node's evacuation looks again. */
const onMigration: Watch = (_c, e, removed, enqueue) => {
  const m = e as VmimEntry;
  if (!removed && m.rec.evacuation !== undefined && m.obj.status.phase === 'Failed') enqueue(m.rec.evacuation);
};

export const evacuationController: Controller = {
  name: 'evacuation',
  watches: {
    Node: byName,
    VirtualMachineInstanceMigration: onMigration,
  },
  reconcile(c, name) {
    const e = c.store.get('Node', name) as NodeEntry | undefined;
    if (!e) return;
    sync(c, e);
    if (e.rec.drains > e.rec.drainsHandled) {
      e.rec.drainsHandled = e.rec.drains;
      evacuate(c, e);
    } else if (e.rec.drains > 0 && e.obj.spec?.unschedulable === true) retry(c, e);
  },
};

/** The record from the object: readiness, cpu / memory capacity, VF pools, cordon. */
function sync(c: Ctx, e: NodeEntry): void {
  const r = e.rec;
  const cap = e.obj.status.capacity;
  r.ready = (e.obj.status.conditions ?? []).every((x) => x.type !== 'Ready' || x.status === 'True');
  r.schedulable = e.obj.spec?.unschedulable !== true;
  const cpu = cap.cpu !== undefined ? parseQuantity(cap.cpu) : undefined;
  const memory = cap.memory !== undefined ? parseQuantity(cap.memory) : undefined;
  r.cpuMilli = cpu === undefined ? null : Math.round(cpu * 1000);
  r.memBytes = memory === undefined ? null : memory;
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
    if ((strategy === 'LiveMigrate' || strategy === 'LiveMigrateIfPossible') && migratable) createMigration(s, v.obj.metadata.name, null, { node: e.obj.metadata.name, notBefore: null });
    else if (strategy === 'None' || strategy === 'LiveMigrateIfPossible') {
      if (r.launched) {
        r.shuttingDown = true;
        c.emit({ type: 'shutdown', uid: v.obj.metadata.uid, graceSeconds: r.grace });
        s.touch(v);
      } else deleteVmi(s, v, c.store.timestamp());
    }
  }
}

/** Retries the failed evacuations of a drained node's VMIs, each after its backoff. */
function retry(c: Ctx, e: NodeEntry): void {
  const s = c.store;
  const book = migrationBook(s);
  for (const name of e.rec.vmis) {
    const v = s.get('VirtualMachineInstance', name) as VmiEntry | undefined;
    if (!v || FINAL(v.obj.status.phase) || v.rec.activeMigration !== null || v.rec.shuttingDown) continue;
    const failed = book.evacuationFailures?.[v.obj.metadata.uid];
    if (!failed || failed.count >= MAX_EVACUATION_FAILURES) continue; // never tried (evacuate's), or given up
    const strategy = (v.obj.spec as { evictionStrategy?: string }).evictionStrategy ?? clusterDefaults(s).evictionStrategy;
    if (strategy !== 'LiveMigrate' && strategy !== 'LiveMigrateIfPossible') continue;
    if (v.rec.migratable.status !== 'True' || v.obj.status.phase !== 'Running') continue;
    const notBefore = failed.lastFailedAt + EVACUATION_BACKOFF_MS * 2 ** (failed.count - 1);
    if (!createMigration(s, name, null, { node: e.obj.metadata.name, notBefore }).ok) continue;
    c.after(notBefore, 'migration', v.rec.activeMigration!);
  }
}
