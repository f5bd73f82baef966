/**
 * Placement: what a VMI asks of a node (cpu, memory, VFs, volume pinning)
 * and the reservation / release of node resources, VFs and IPs. Internal to
 * the cluster core.
 */
import { allocate, release } from '../ipam.ts';
import { giveVf, takeVf, type NodeState, type Request } from '../scheduler.ts';
import { FINAL, type CoreState, type VmiState, type Nic } from './CoreState.ts';
import { nad } from './networking.ts';

/** Resource request of a VMI; null when its local volumes pin it to two nodes. */
export function request(s: CoreState, vmi: VmiState): Request | null {
  if (vmi.tmpl.simple) return vmi.tmpl.request;
  let pinned: string | null = null;
  for (const claim of vmi.claims) {
    const p = s.pvcs.get(claim)!;
    let node = p.storage === 'local' ? p.node : null;
    if (node === null && !p.rwx) node = rwoAttachedNode(s, claim, vmi);
    if (node !== null) {
      if (pinned !== null && pinned !== node) return null;
      pinned = node;
    }
  }
  let vfs: Map<string, number> | null = null;
  for (const nic of vmi.nics) {
    if (nic.kind !== 'sriov') continue;
    const res = nad(s, nic.network!)?.resource;
    if (!res) continue;
    vfs ??= new Map();
    vfs.set(res, (vfs.get(res) ?? 0) + 1);
  }
  return { cpu: vmi.cpu, memMiB: vmi.memMiB, vfs, pinned };
}

/** A RWO volume attached to an active VMI pins other users to that node. */
function rwoAttachedNode(s: CoreState, claim: string, self: VmiState): string | null {
  for (const v of s.vmis.values()) {
    if (v !== self && v.node !== null && !FINAL(v.phase) && v.claims.includes(claim)) return v.node;
  }
  return null;
}

/** Reserves node resources and VFs/IPs; `nics` get their VFs on this node. */
export function place(s: CoreState, vmi: VmiState, node: NodeState, nics: Nic[], count: boolean): void {
  node.usedCpu += vmi.cpu;
  node.usedMemMiB += vmi.memMiB;
  if (count) {
    vmi.node = node.name;
    node.active++;
    s.nodeVmis.get(node.name)!.add(vmi);
  }
  // index loops here and below: these run per VMI placement and release, where for..of iterators showed in the allocation profile
  for (let i = 0; i < nics.length; i++) {
    const nic = nics[i]!;
    if (nic.kind === 'sriov') {
      const res = nad(s, nic.network!)?.resource;
      const idx = res ? takeVf(node, res) : null;
      nic.vf = res && idx !== null ? { resource: res, index: idx } : null;
    }
    if (nic.kind !== 'pod' && nic.ipv4Cidr === null) {
      const pool = s.pools.get(nic.network!.includes('/') ? nic.network!.split('/')[1]! : nic.network!);
      nic.ipv4Cidr = pool ? allocate(pool) : null;
    }
  }
}

/** Gives back what `place` took on `nodeName`; IPs only when `ips`. */
export function unplace(s: CoreState, vmi: VmiState, nodeName: string, nics: Nic[], count: boolean, ips: boolean): void {
  const node = s.nodes.get(nodeName);
  if (node) {
    node.usedCpu -= vmi.cpu;
    node.usedMemMiB -= vmi.memMiB;
    if (count) {
      node.active--;
      s.nodeVmis.get(nodeName)?.delete(vmi);
    }
    for (let i = 0; i < nics.length; i++) {
      const vf = nics[i]!.vf;
      if (vf) giveVf(node, vf.resource, vf.index);
    }
  }
  for (let i = 0; i < nics.length; i++) {
    const nic = nics[i]!;
    if (nic.kind === 'sriov') nic.vf = null;
    if (ips && nic.kind !== 'pod' && nic.ipv4Cidr !== null) {
      const pool = s.pools.get(nic.network!.includes('/') ? nic.network!.split('/')[1]! : nic.network!);
      if (pool) release(pool, nic.ipv4Cidr);
      nic.ipv4Cidr = null;
    }
  }
}
