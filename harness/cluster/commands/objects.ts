/**
 * kubectl apply / delete of every kind (virt-api's admission that needs
 * cluster state, then the write to the store; the controllers do the rest).
 * Internal to the cluster core.
 */
import type { ClusterConfig, KubeObject, NetworkAttachmentDefinition, ObjectRef, PersistentVolumeClaim } from '../../api/index.ts';
import { parseCniConfig } from '../../api/index.ts';
import { OK, type Result } from '../../contract/index.ts';
import { ERR } from '../messages.ts';
import type { ApiObject } from '../store/objects.ts';
import type { NodeRecord } from '../store/records.ts';
import type { Store } from '../store/Store.ts';
import { applyClusterConfig } from '../common/cluster.ts';
import { createMigration } from '../common/migrations.ts';
import { nodeSetChanged, type VmiEntry } from '../common/placement.ts';
import { deleteDv, deletePvc, newPvcRecord, type DvEntry, type PvcEntry } from '../common/storage.ts';
import { template } from '../common/template.ts';
import { createVmi, deleteVmi } from '../common/vmis.ts';
import { deleteVm, putVm, type VmEntry } from '../common/vms.ts';

/** What the commands need besides the store: the clock, as a timestamp. */
export interface CommandEnv {
  store: Store;
  now(): number;
}

/** A new Node's scheduler record; the evacuation controller fills it from the object. */
function nodeRecord(name: string): NodeRecord {
  return { name, ready: false, schedulable: true, cpuMilli: null, memBytes: null, usedCpuMilli: 0, usedMemBytes: 0, active: 0, vfs: {}, vmis: [], drains: 0, drainsHandled: 0, uncordons: 0 };
}

/** Creates the object, or replaces the fields a manifest carries (spec and the like) on the stored one, keeping its metadata and status. */
function put(s: Store, obj: ApiObject, rec: () => unknown, status?: () => unknown): void {
  const e = s.get(obj.kind, obj.metadata.name);
  if (!e) {
    if (status) obj.status = status();
    s.create(obj, rec());
    return;
  }
  const stored = e.obj;
  for (const k of Object.keys(obj)) if (k !== 'metadata' && k !== 'status') stored[k] = obj[k];
  if (!status && obj.status !== undefined) stored.status = obj.status;
  const meta = obj.metadata;
  if (meta.labels) stored.metadata.labels = meta.labels;
  if (meta.annotations) stored.metadata.annotations = { ...stored.metadata.annotations, ...meta.annotations };
  stored.metadata.generation++;
  s.touch(e);
}

/** Applies one object of any kind. */
export function applyObject(env: CommandEnv, manifest: KubeObject): Result {
  const s = env.store;
  // the store's own object (its metadata and status are the store's); the spec's nested parts stay the
  // caller's: nothing writes them in place (a VM's top-level spec fields and a Node's status are copied below)
  const obj = { ...manifest } as KubeObject & ApiObject;
  switch (obj.kind) {
    case 'VirtualMachine':
      return putVm(s, obj);
    case 'VirtualMachineInstance':
      if (!s.get(obj.kind, obj.metadata.name)) createVmi(s, obj.metadata.name, null, template(s, obj.spec), false, obj.metadata.labels);
      return OK; // VMI specs are immutable; a re-apply's labels are not taken
    case 'VirtualMachineInstanceMigration':
      if (s.get(obj.kind, obj.metadata.name)) return OK; // the spec is immutable
      return createMigration(s, obj.spec.vmiName, obj.metadata.name);
    case 'VirtualMachineInstanceReplicaSet':
    case 'VirtualMachinePool':
      put(s, obj, () => null, () => ({ replicas: 0, readyReplicas: 0 }));
      return OK;
    case 'Node': {
      obj.status = { ...obj.status }; // the node-loss fault writes its conditions
      const e = s.get('Node', obj.metadata.name);
      // a re-applied Node keeps its cordon
      if (e) (obj as { spec?: unknown }).spec ??= e.obj.spec;
      put(s, obj, () => nodeRecord(obj.metadata.name));
      if (!e) nodeSetChanged(s);
      return OK;
    }
    case 'PersistentVolumeClaim': {
      const spec = (obj as PersistentVolumeClaim).spec;
      put(s, obj, () => newPvcRecord(spec, null), () => ({ phase: 'Pending' }));
      return OK;
    }
    case 'DataVolume':
      if (!s.get(obj.kind, obj.metadata.name)) s.create({ ...obj, status: { phase: 'Pending' } } as ApiObject, { ownerVm: null });
      return OK;
    case 'NetworkAttachmentDefinition': {
      const parsed = parseCniConfig(obj as NetworkAttachmentDefinition);
      if (!parsed.ok) return ERR.conflict(`spec.config: ${parsed.issues.map((i) => i.message).join('; ')}`);
      put(s, obj, () => null);
      return OK;
    }
    case 'ClusterConfig':
      applyClusterConfig(s, (obj as ClusterConfig).spec);
      put(s, obj, () => null);
      return OK;
    default:
      put(s, obj, () => null);
      return OK;
  }
}

/** The resource name KubeVirt / Kubernetes say in a NotFound of that kind. */
const RESOURCE: Readonly<Record<string, string>> = {
  VirtualMachineInstanceReplicaSet: 'virtualmachineinstancereplicasets.kubevirt.io',
  VirtualMachinePool: 'virtualmachinepools.pool.kubevirt.io',
  VirtualMachineInstanceMigration: 'virtualmachineinstancemigrations.kubevirt.io',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  DataVolume: 'datavolumes.cdi.kubevirt.io',
  MigrationPolicy: 'migrationpolicies.migrations.kubevirt.io',
};

/** Deletes one object of any kind. */
export function deleteObject(env: CommandEnv, ref: ObjectRef): Result {
  const s = env.store;
  const n = ref.name;
  const e = s.get(ref.kind, n);
  const now = s.timestamp();
  switch (ref.kind) {
    case 'VirtualMachine':
      if (!e) return ERR.vmNotFound(n);
      deleteVm(s, e as VmEntry, now);
      return OK;
    case 'VirtualMachineInstance':
      if (!e) return ERR.vmiNotFound(n);
      (e as VmiEntry).rec.deletionSeen = false; // every delete request asks for the shutdown again
      deleteVmi(s, e as VmiEntry, now);
      return OK;
    case 'VirtualMachineInstanceMigration':
      if (!e) return ERR.notFound(RESOURCE[ref.kind]!, n);
      e.obj.metadata.deletionTimestamp ??= now;
      s.touch(e);
      return OK;
    case 'PersistentVolumeClaim':
      if (!e) return ERR.notFound(RESOURCE[ref.kind]!, n);
      deletePvc(s, e as PvcEntry, now);
      return OK;
    case 'DataVolume':
      if (!e) return ERR.notFound(RESOURCE[ref.kind]!, n);
      deleteDv(s, e as DvEntry, now);
      return OK;
    case 'Node':
      if (!e) return ERR.nodeNotFound(n);
      if ((e.rec as NodeRecord).vmis.length > 0) return ERR.conflict(`node ${n} still runs VMIs`);
      s.remove(e);
      nodeSetChanged(s);
      return OK;
    default:
      if (!e) return ERR.notFound(RESOURCE[ref.kind] ?? ref.kind, n);
      s.remove(e); // replica sets and pools: the controllers cascade to what they made
      return OK;
  }
}
