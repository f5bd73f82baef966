/**
 * Nodes as the scheduler sees them, and the harness's scheduling rule
 * (backends/contract.ts header): among feasible nodes (Ready, not cordoned,
 * enough free cpu and memory, free VFs, the node of a pinned volume) take the
 * one with the fewest active VMIs, ties broken by node name. Internal to the
 * cluster core.
 */

import type { NodeRecord } from './store/records.ts';

/** What a VMI asks of a node: its launcher pod's requests (common/podRequests.ts), VFs and pinning. */
export interface Request {
  cpuMilli: number;
  memBytes: number;
  /** Extended resource → VF count. */
  vfs: Map<string, number> | null;
  /** A bound node-local volume pins the VMI to its node. */
  pinned: string | null;
}

/** Free cpu (millicores) / memory (bytes) of a node (no declared capacity = unlimited; JSON keeps it as null). */
const freeCpuMilli = (n: NodeRecord): number => (n.cpuMilli === null ? Infinity : n.cpuMilli - n.usedCpuMilli);
const freeMemBytes = (n: NodeRecord): number => (n.memBytes === null ? Infinity : n.memBytes - n.usedMemBytes);

function fits(n: NodeRecord, r: Request): boolean {
  if (freeCpuMilli(n) < r.cpuMilli || freeMemBytes(n) < r.memBytes) return false;
  if (r.vfs) {
    for (const [res, count] of r.vfs) {
      const pool = n.vfs[res];
      if (!pool || pool.capacity - pool.inUse < count) return false;
    }
  }
  return true;
}

/**
 * Nodes grouped by their active VMI count (index = count), each group in
 * name order: the scheduler's preference order (common/placement.ts
 * `nodesByLoad` keeps it).
 */
export type NodesByLoad = readonly (readonly NodeRecord[])[];

/**
 * Picks a node: the first feasible one in preference order (fewest active
 * VMIs, then name), which is the harness's rule; `exclude` is the migration
 * source. Null when none is feasible. Walking the load order stops at the
 * first fit, where a scan by name had to look at every node.
 */
export function pickNode(byLoad: NodesByLoad, r: Request, exclude: string | null): NodeRecord | null {
  for (let a = 0; a < byLoad.length; a++) {
    const group = byLoad[a]!;
    for (let i = 0; i < group.length; i++) {
      const n = group[i]!;
      if (!n.ready || !n.schedulable || n.name === exclude) continue;
      if (r.pinned !== null && n.name !== r.pinned) continue;
      if (fits(n, r)) return n;
    }
  }
  return null;
}

/** Why no node fits, in the scheduler's words (PodScheduled message). */
export function unschedulableMessage(sorted: readonly NodeRecord[], r: Request): string {
  const ready = sorted.filter((n) => n.ready && n.schedulable);
  if (ready.length === 0) return '0/0 nodes are available';
  const reasons = new Set<string>();
  for (const n of ready) {
    if (r.pinned !== null && n.name !== r.pinned) reasons.add("node(s) didn't match PersistentVolume's node affinity");
    else if (freeCpuMilli(n) < r.cpuMilli) reasons.add('Insufficient cpu');
    else if (freeMemBytes(n) < r.memBytes) reasons.add('Insufficient memory');
    else if (r.vfs) for (const [res] of r.vfs) reasons.add(`Insufficient ${res}`);
  }
  return `0/${sorted.length} nodes are available: ${[...reasons].sort().join(', ')}`;
}

/** Takes the lowest free VF of a resource; null when none is free. */
export function takeVf(n: NodeRecord, resource: string): number | null {
  const pool = n.vfs[resource];
  if (!pool || pool.inUse >= pool.capacity) return null;
  for (let i = 0; i < pool.capacity; i++) {
    if (!pool.used[i]) {
      pool.used[i] = true;
      pool.inUse++;
      return i;
    }
  }
  return null;
}

/** Gives a VF back. */
export function giveVf(n: NodeRecord, resource: string, index: number): void {
  const pool = n.vfs[resource];
  if (pool && pool.used[index]) {
    pool.used[index] = false;
    pool.inUse--;
  }
}
