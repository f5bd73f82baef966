/**
 * Turns the core's state plus the agent's guest facts into an Observation
 * (harness/observe/types.ts). Public (internal to backends): built only on
 * demand, never per command.
 */
import type { GuestFacts } from './agent.ts';
import type { ClusterCore } from './ClusterCore.ts';
import type { MigrationObservation, NodeObservation, Observation, ObservationHeader, PvcObservation, VmiObservation, VmObservation } from '../observe/types.ts';

export function buildObservation(core: ClusterCore, guests: Record<string, GuestFacts>, header: ObservationHeader): Observation {
  const vms: Record<string, VmObservation> = {};
  for (const vm of [...core.vms.values()].sort((a, b) => cmp(a.name, b.name))) {
    const v = vm.vmi;
    const conditions: VmObservation['conditions'] = {};
    if (v) {
      const vc = core.vmiConditions(v);
      for (const [k, c] of Object.entries(vc)) conditions[k] = c;
    } else conditions.Ready = { status: 'False', reason: 'VMINotExists' };
    vms[vm.name] = {
      printableStatus: core.printableStatus(vm),
      ready: v !== null && v.phase === 'Running' && !v.paused,
      created: v !== null,
      runStrategy: vm.strategy,
      conditions,
      vmi: v?.uid ?? null,
    };
  }
  const vmis: Record<string, VmiObservation> = {};
  const rsOwned = new Set<unknown>();
  for (const rs of core.replicaSets.values()) for (const v of rs.owned) rsOwned.add(v);
  for (const v of [...core.vmis.values()].sort((a, b) => cmp(a.name, b.name))) {
    const g: GuestFacts | undefined = v.phase === 'Running' ? guests[v.uid] : undefined;
    const o: VmiObservation = {
      uid: v.uid,
      owner: v.owner ? 'vm' : rsOwned.has(v) ? 'replicaset' : 'standalone',
      phase: v.phase,
      node: v.node,
      conditions: core.vmiConditions(v),
      bootId: g?.bootId ?? null,
      interfaces: g?.interfaces ?? [],
      disks: g?.disks ?? [],
      memoryMiB: g?.memoryMiB ?? null,
      vcpus: g?.vcpus ?? null,
      migration: v.migration ? { ...v.migration } : null,
    };
    if (g?.reachable) o.reachable = g.reachable;
    vmis[v.name] = o;
  }
  const pvcs: Record<string, PvcObservation> = {};
  for (const p of [...core.pvcs.values()].sort((a, b) => cmp(a.name, b.name))) {
    pvcs[p.name] = { phase: p.phase, node: p.phase === 'Bound' && p.storage === 'local' ? p.node : null, sizeBytes: p.sizeBytes };
  }
  const nodes: Record<string, NodeObservation> = {};
  for (const n of [...core.nodes.values()].sort((a, b) => cmp(a.name, b.name))) {
    const vfsInUse: Record<string, number> = {};
    for (const [res, pool] of [...n.vfs].sort((a, b) => cmp(a[0], b[0]))) vfsInUse[res] = pool.inUse;
    nodes[n.name] = { ready: n.ready, vfsInUse };
  }
  const migrations: Record<string, MigrationObservation> = {};
  for (const m of [...core.migrations.values()].sort((a, b) => cmp(a.name, b.name))) {
    migrations[m.name] = { vmi: m.vmiName, phase: m.phase };
  }
  return { header, vms, vmis, pvcs, nodes, migrations };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
