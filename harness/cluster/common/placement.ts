/**
 * Placement: what a VMI asks of a node (cpu, memory, VFs, volume pinning),
 * the reservation and release of node resources, VFs and IPs (the
 * scheduler's and device plugins' accounting, kept in Node and NAD
 * records), and the NICs handed to the launcher. Shared by the VMI and
 * migration controllers. Internal to the cluster core.
 */
import { SRIOV_RESOURCE_ANNOTATION, type NetworkAttachmentDefinition, type VirtualMachineInstanceSpec, parseCniConfig } from '../../api/index.ts';
import type { LaunchNic } from '../agent.ts';
import { allocate, release } from '../ipam.ts';
import { giveVf, takeVf, type NodesByLoad, type Request } from '../scheduler.ts';
import { FINAL, VFS_IN_USE, type ApiObject, type VmiStatus } from '../store/objects.ts';
import type { Ipv4Pool, Nic, NodeRecord, PvcRecord, VmiRecord } from '../store/records.ts';
import type { Entry, Store } from '../store/Store.ts';

export type VmiEntry = Entry<ApiObject & { spec: VirtualMachineInstanceSpec; status: VmiStatus }, VmiRecord>;

/** The node records in name order (the scheduler's tie-break), cached until a Node is added or removed. */
const sortedCache = new WeakMap<Store, { count: number; version: number; list: NodeRecord[] }>();

export function sortedNodes(s: Store): NodeRecord[] {
  const nodes = s.all<ApiObject, NodeRecord>('Node');
  const version = (s.books.nodeSet as number | undefined) ?? 0;
  const c = sortedCache.get(s);
  if (c && c.count === nodes.size && c.version === version) return c.list;
  const list = [...nodes.values()].map((e) => e.rec).sort(byName);
  sortedCache.set(s, { count: nodes.size, version, list });
  return list;
}

const byName = (a: NodeRecord, b: NodeRecord): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * The nodes in the scheduler's preference order (scheduler.ts NodesByLoad):
 * a cache of the node records' `active` counts, rebuilt when the node set
 * changes and kept up to date by `countActive`, the one writer of `active`.
 * A restored store starts without one (the cache is per Store object).
 */
const loadCache = new WeakMap<Store, { count: number; version: number; groups: NodeRecord[][] }>();

export function nodesByLoad(s: Store): NodesByLoad {
  const nodes = s.all<ApiObject, NodeRecord>('Node');
  const version = (s.books.nodeSet as number | undefined) ?? 0;
  const c = loadCache.get(s);
  if (c && c.count === nodes.size && c.version === version) return c.groups;
  const groups: NodeRecord[][] = [];
  for (const n of sortedNodes(s)) (groups[n.active] ??= []).push(n);
  for (let a = 0; a < groups.length; a++) groups[a] ??= [];
  loadCache.set(s, { count: nodes.size, version, groups });
  return groups;
}

/** Changes a node's count of active VMIs by `delta`, moving it within the load order if one is cached. */
export function countActive(s: Store, node: NodeRecord, delta: 1 | -1): void {
  const from = node.active;
  node.active += delta;
  const c = loadCache.get(s);
  if (!c) return;
  const groups = c.groups;
  const old = groups[from];
  const i = old === undefined ? -1 : nameIndex(old, node.name);
  if (old === undefined || old[i] !== node) {
    loadCache.delete(s); // not the cached record (a node set change not seen yet): rebuilt on next use
    return;
  }
  // moved by hand: splice allocates an array for what it removes, and this runs at every placement and release
  for (let k = i + 1; k < old.length; k++) old[k - 1] = old[k]!;
  old.pop();
  const group = (groups[node.active] ??= []);
  const at = nameIndex(group, node.name);
  group.push(node);
  for (let k = group.length - 1; k > at; k--) group[k] = group[k - 1]!;
  group[at] = node;
}

/** Where `name` is, or would go, in a group in name order (binary search: a group can hold every node). */
function nameIndex(group: readonly NodeRecord[], name: string): number {
  let lo = 0;
  let hi = group.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (group[mid]!.name < name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Marks the node set changed (a Node created or removed): the sorted list and the load order are rebuilt. */
export function nodeSetChanged(s: Store): void {
  s.books.nodeSet = ((s.books.nodeSet as number | undefined) ?? 0) + 1;
}

/** The NAD name of a network reference (`ns/name` or `name`). */
export const nadName = (network: string): string => (network.includes('/') ? network.split('/')[1]! : network);

/** The bridge / SR-IOV attachment behind a network name; null when missing or invalid. */
export function nad(s: Store, network: string): { type: 'bridge' | 'sriov'; resource: string | null } | null {
  const obj = s.obj<ApiObject & NetworkAttachmentDefinition>('NetworkAttachmentDefinition', nadName(network));
  if (!obj) return null;
  const parsed = parseCniConfig(obj);
  if (!parsed.ok) return null;
  return { type: parsed.config.type, resource: obj.metadata.annotations?.[SRIOV_RESOURCE_ANNOTATION] ?? null };
}

/** Resource request of a VMI; null when its local volumes pin it to two nodes. */
export function request(s: Store, vmi: VmiEntry, simpleRequest: Request | null): Request | null {
  const r = vmi.rec;
  if (r.simple && simpleRequest) return simpleRequest;
  let pinned: string | null = null;
  for (const claim of r.claims) {
    const p = s.get<ApiObject, PvcRecord>('PersistentVolumeClaim', claim)!.rec;
    let node = p.storage === 'local' ? p.node : null;
    if (node === null && !p.rwx) node = rwoAttachedNode(s, claim, vmi);
    if (node !== null) {
      if (pinned !== null && pinned !== node) return null;
      pinned = node;
    }
  }
  let vfs: Map<string, number> | null = null;
  for (const nic of r.nics) {
    if (nic.kind !== 'sriov') continue;
    const res = nad(s, nic.network!)?.resource;
    if (!res) continue;
    vfs ??= new Map();
    vfs.set(res, (vfs.get(res) ?? 0) + 1);
  }
  return { cpuMilli: r.pod.cpuMilli, memBytes: r.pod.memBytes, vfs, pinned };
}

/** A RWO volume attached to an active VMI pins other users to that node. */
function rwoAttachedNode(s: Store, claim: string, self: VmiEntry): string | null {
  for (const v of s.all<VmiEntry['obj'], VmiRecord>('VirtualMachineInstance').values()) {
    if (v !== self && v.obj.status.nodeName !== undefined && !FINAL(v.obj.status.phase) && v.rec.claims.includes(claim)) return v.obj.status.nodeName;
  }
  return null;
}

/** The IPAM pools by NAD name (Store.books.network.pools): they outlive a deleted NAD, as allocations do. */
export function ipPools(s: Store): Record<string, Ipv4Pool> {
  return (s.books.network as { pools: Record<string, Ipv4Pool> }).pools;
}

/** The IPv4 pool of a NIC's NAD, if it has one. */
function ipPool(s: Store, nic: Nic): Ipv4Pool | undefined {
  return ipPools(s)[nadName(nic.network!)];
}

/** Reserves node resources and VFs/IPs; `nics` get their VFs on this node; `count` makes it the VMI's node. */
export function place(s: Store, vmi: VmiEntry, node: NodeRecord, nics: Nic[], count: boolean): void {
  const r = vmi.rec;
  node.usedCpuMilli += r.pod.cpuMilli;
  node.usedMemBytes += r.pod.memBytes;
  if (count) {
    vmi.obj.status.nodeName = node.name;
    countActive(s, node, 1);
    node.vmis.push(vmi.obj.metadata.name);
  }
  let vfsChanged = false;
  // index loops here and below: these run per VMI placement and release, where for..of iterators showed in the allocation profile
  for (let i = 0; i < nics.length; i++) {
    const nic = nics[i]!;
    if (nic.kind === 'sriov') {
      const res = nad(s, nic.network!)?.resource;
      const idx = res ? takeVf(node, res) : null;
      nic.vf = res && idx !== null ? { resource: res, index: idx } : null;
      vfsChanged ||= nic.vf !== null;
    }
    if (nic.kind !== 'pod' && nic.ipv4Cidr === null) {
      const pool = ipPool(s, nic);
      nic.ipv4Cidr = pool ? allocate(pool) : null;
    }
  }
  if (vfsChanged) publishVfs(s, node);
}

/** Gives back what `place` took on `nodeName`; IPs only when `ips`. */
export function unplace(s: Store, vmi: VmiEntry, nodeName: string, nics: Nic[], count: boolean, ips: boolean): void {
  const r = vmi.rec;
  const node = s.get<ApiObject, NodeRecord>('Node', nodeName)?.rec;
  let vfsChanged = false;
  if (node) {
    node.usedCpuMilli -= r.pod.cpuMilli;
    node.usedMemBytes -= r.pod.memBytes;
    if (count) {
      countActive(s, node, -1);
      const i = node.vmis.indexOf(vmi.obj.metadata.name);
      if (i >= 0) node.vmis.splice(i, 1);
    }
    for (let i = 0; i < nics.length; i++) {
      const vf = nics[i]!.vf;
      if (vf) {
        giveVf(node, vf.resource, vf.index);
        vfsChanged = true;
      }
    }
  }
  for (let i = 0; i < nics.length; i++) {
    const nic = nics[i]!;
    if (nic.kind === 'sriov') nic.vf = null;
    if (ips && nic.kind !== 'pod' && nic.ipv4Cidr !== null) {
      const pool = ipPool(s, nic);
      if (pool) release(pool, nic.ipv4Cidr);
      nic.ipv4Cidr = null;
    }
  }
  if (node && vfsChanged) publishVfs(s, node);
}

/** Writes a node's VF accounting into its annotation (VFS_IN_USE), the form the read path sees. */
export function publishVfs(s: Store, node: NodeRecord): void {
  const e = s.get('Node', node.name);
  if (!e) return;
  const inUse: Record<string, number> = {};
  for (const res of Object.keys(node.vfs).sort()) inUse[res] = node.vfs[res]!.inUse;
  const text = JSON.stringify(inUse);
  const meta = e.obj.metadata;
  if (meta.annotations?.[VFS_IN_USE] === text) return;
  meta.annotations = { ...meta.annotations, [VFS_IN_USE]: text };
  s.touch(e);
}

/** The NICs as the launcher gets them. */
export function launchNics(nics: Nic[]): LaunchNic[] {
  // map allocates the array at its size; push would start a 17-slot one (per launch and migration)
  return nics.map(launchNic);
}

function launchNic(n: Nic): LaunchNic {
  return { name: n.name, mac: n.mac, macSource: n.macSource, kind: n.kind, network: n.network, ipv4Cidr: n.ipv4Cidr, vf: n.vf, model: n.model };
}
