/**
 * Nodes: apply (capacity, readiness, VF pools), the name-sorted list the
 * scheduler walks, and drain / uncordon (R-M6). Internal to the cluster core.
 */
import type { Node } from '../../api/types.ts';
import { parseQuantity } from '../../api/quantity.ts';
import { OK, type Result } from '../../contract/index.ts';
import { ERR } from '../messages.ts';
import { FINAL, MiB, vmiSet, type CoreState } from './CoreState.ts';
import { createMigration } from './migrations.ts';
import { reconcileAll } from './vmController.ts';
import { putStore } from './objectStore.ts';
import { bindIfImmediate } from './storage.ts';
import { deleteVmi, requestShutdown, retryWaiting } from './vmiLifecycle.ts';

/** Applies a Node: readiness, cpu / memory capacity and VF pools. Internal. */
export function applyNode(s: CoreState, obj: Node): void {
  const cap = obj.status.capacity;
  const ready = (obj.status.conditions ?? []).every((c) => c.type !== 'Ready' || c.status === 'True');
  let node = s.nodes.get(obj.metadata.name);
  if (!node) {
    node = {
      name: obj.metadata.name,
      ready,
      schedulable: true,
      cpu: Infinity,
      memMiB: Infinity,
      usedCpu: 0,
      usedMemMiB: 0,
      active: 0,
      vfs: new Map(),
    };
    s.nodes.set(node.name, node);
    s.nodeVmis.set(node.name, vmiSet());
    sortNodes(s);
  }
  node.ready = ready;
  node.cpu = cap.cpu !== undefined ? (parseQuantity(cap.cpu) ?? Infinity) : Infinity;
  node.memMiB = cap.memory !== undefined ? (parseQuantity(cap.memory) ?? Infinity) / MiB : Infinity;
  for (const [k, v] of Object.entries(cap)) {
    if (k === 'cpu' || k === 'memory') continue;
    const capacity = Math.floor(parseQuantity(v) ?? 0);
    const pool = node.vfs.get(k);
    if (pool) pool.capacity = capacity;
    else node.vfs.set(k, { capacity, used: [], inUse: 0 });
  }
  putStore(s, obj);
  for (const p of s.pvcs.values()) if (p.phase === 'Pending' && !p.provisioning) bindIfImmediate(s, p);
  retryWaiting(s);
}

/** Rebuilds the name-sorted node list. Internal. */
export function sortNodes(s: CoreState): void {
  s.sortedNodes = [...s.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Drains a node (R-M6): cordons it and evicts its VMIs per evictionStrategy.
 * Public: the bench and the fault catalogue use it.
 */
export function drain(s: CoreState, nodeName: string): Result {
  const node = s.nodes.get(nodeName);
  if (!node) return ERR.nodeNotFound(nodeName);
  node.schedulable = false;
  const vmis = [...(s.nodeVmis.get(nodeName) ?? [])].sort((a, b) => a.seq - b.seq);
  for (const v of vmis) {
    if (FINAL(v.phase) || v.activeMigration || v.shuttingDown) continue;
    const strategy = v.spec.evictionStrategy ?? s.cluster.evictionStrategy;
    const migratable = v.migratable.status === 'True' && v.phase === 'Running';
    if ((strategy === 'LiveMigrate' || strategy === 'LiveMigrateIfPossible') && migratable) createMigration(s, v.name, null);
    else if (strategy === 'None' || strategy === 'LiveMigrateIfPossible') {
      if (v.launched) requestShutdown(s, v);
      else deleteVmi(s, v, null);
    }
  }
  reconcileAll(s);
  return OK;
}

/** Makes a drained node schedulable again. Public. */
export function uncordon(s: CoreState, nodeName: string): Result {
  const node = s.nodes.get(nodeName);
  if (!node) return ERR.nodeNotFound(nodeName);
  node.schedulable = true;
  retryWaiting(s);
  reconcileAll(s);
  return OK;
}
