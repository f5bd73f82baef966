/**
 * The observation (types.ts) as a function of API objects: the store's
 * objects with their status (VMs, VMIs, migrations, claims, nodes) plus the
 * guest facts the node agent read (docs/architecture.md, one read path).
 * Public: every backend builds its observation here, from `list`.
 */
import { condition, SELECTED_NODE, VFS_IN_USE, type ApiObject, type Condition, type GuestFacts, type MigrationState, type VmiStatus, type VmStatus } from '../cluster/index.ts';
import { parseQuantity } from '../api/index.ts';
import type { MigrationObservation, NodeObservation, Observation, ObservationHeader, ObservedCondition, ObservedMigrationState, PvcObservation, VmiObservation, VmObservation } from './types.ts';

/** Quantities and annotations met before, parsed (the same few strings come back at every observation). */
const bytesOf = new Map<string, number>();
const vfsOf = new Map<string, Readonly<Record<string, number>>>();

function bytes(q: string): number {
  let n = bytesOf.get(q);
  if (n === undefined) bytesOf.set(q, (n = parseQuantity(q) ?? 0));
  return n;
}

function vfs(annotation: string | undefined): Record<string, number> {
  if (annotation === undefined) return {};
  let v = vfsOf.get(annotation);
  if (v === undefined) vfsOf.set(annotation, (v = JSON.parse(annotation) as Record<string, number>));
  return { ...v };
}

/** The API objects of a kind, in name order. */
export type ObjectList = (kind: string) => readonly ApiObject[];

/** Conditions by type, as compared: status plus reason. */
function observed(conditions: readonly Condition[]): Record<string, ObservedCondition> {
  const out: Record<string, ObservedCondition> = {};
  for (const c of conditions) out[c.type] = c.reason === undefined ? { status: c.status } : { status: c.status, reason: c.reason };
  return out;
}

const OWNER_KIND: Readonly<Record<string, VmiObservation['owner']>> = { VirtualMachine: 'vm', VirtualMachineInstanceReplicaSet: 'replicaset' };

function migration(m: MigrationState | undefined): VmiObservation['migration'] {
  if (!m) return null;
  const o: ObservedMigrationState = { completed: m.completed, failed: m.failed, sourceNode: m.sourceNode, targetNode: m.targetNode };
  if (m.abortStatus !== undefined) o.abortStatus = m.abortStatus;
  return o;
}

/** The observation of a cluster: its objects, and the facts of the running guests by VMI uid. */
export function buildObservation(list: ObjectList, guests: Readonly<Record<string, GuestFacts>>, header: ObservationHeader): Observation {
  const vmiObjects = list('VirtualMachineInstance');
  const vmiByName = new Map(vmiObjects.map((v) => [v.metadata.name, v]));
  const vms: Record<string, VmObservation> = {};
  for (const vm of list('VirtualMachine')) {
    const st = vm.status as VmStatus;
    const spec = vm.spec as { runStrategy?: string; running?: boolean };
    const v = vmiByName.get(vm.metadata.name);
    const mine = v !== undefined && v.metadata.ownerReferences?.[0]?.uid === vm.metadata.uid;
    vms[vm.metadata.name] = {
      printableStatus: st.printableStatus,
      ready: st.ready,
      created: st.created,
      runStrategy: spec.runStrategy ?? (spec.running ? 'Always' : 'Halted'),
      conditions: observed(st.conditions),
      vmi: mine ? v.metadata.uid : null,
    };
  }
  const vmis: Record<string, VmiObservation> = {};
  for (const v of vmiObjects) {
    const st = v.status as VmiStatus;
    const g: GuestFacts | undefined = st.phase === 'Running' ? guests[v.metadata.uid] : undefined;
    const o: VmiObservation = {
      uid: v.metadata.uid,
      owner: OWNER_KIND[v.metadata.ownerReferences?.[0]?.kind ?? ''] ?? 'standalone',
      phase: st.phase,
      node: st.nodeName ?? null,
      conditions: observed(st.conditions),
      bootId: g?.bootId ?? null,
      interfaces: g?.interfaces ?? [],
      disks: g?.disks ?? [],
      memoryMiB: g?.memoryMiB ?? null,
      vcpus: g?.vcpus ?? null,
      sockets: g?.sockets ?? null,
      migration: migration(st.migrationState),
    };
    if (g?.reachable) o.reachable = g.reachable;
    vmis[v.metadata.name] = o;
  }
  const pvcs: Record<string, PvcObservation> = {};
  for (const p of list('PersistentVolumeClaim')) {
    const st = p.status as { phase: PvcObservation['phase'] };
    const spec = p.spec as { resources: { requests: { storage: string } } };
    const node = p.metadata.annotations?.[SELECTED_NODE];
    pvcs[p.metadata.name] = { phase: st.phase, node: st.phase === 'Bound' && node !== undefined ? node : null, sizeBytes: bytes(spec.resources.requests.storage) };
  }
  const nodes: Record<string, NodeObservation> = {};
  for (const n of list('Node')) {
    const st = n.status as { conditions?: Condition[] };
    const ready = condition(st.conditions, 'Ready');
    nodes[n.metadata.name] = { ready: ready === undefined || ready.status === 'True', vfsInUse: vfs(n.metadata.annotations?.[VFS_IN_USE]) };
  }
  const migrations: Record<string, MigrationObservation> = {};
  for (const m of list('VirtualMachineInstanceMigration')) {
    migrations[m.metadata.name] = { vmi: (m.spec as { vmiName: string }).vmiName, phase: (m.status as { phase: MigrationObservation['phase'] }).phase };
  }
  return { header, vms, vmis, pvcs, nodes, migrations };
}
