/**
 * The API object store: apply and delete of every kind, routed to the module
 * that owns the kind (VMs, VMIs, migrations, nodes, storage, networks); kinds
 * the core only reads (StorageClass, ConfigMap, Secret, DataSource,
 * instancetypes) are kept by kind and name. Internal to the cluster core.
 */
import type { KubeObject, ObjectRef } from '../../api/types.ts';
import { OK, type Result } from '../../contract/index.ts';
import { ERR } from '../messages.ts';
import type { CoreState } from './CoreState.ts';
import { createMigration, finishMigration } from './migrations.ts';
import { applyNad } from './networking.ts';
import { applyNode, sortNodes } from './nodes.ts';
import { applyPvc, bindIfImmediate, deletePvc, applyDv, startDv, deleteDv } from './storage.ts';
import { applyVm, requestVmDeletion } from './vmController.ts';
import { applyReplicaSet, deleteReplicaSet } from './replicaSets.ts';
import { applyPool, deletePool } from './pools.ts';
import { createVmi, deleteVmi, retryWaiting } from './vmiLifecycle.ts';
import { template } from './vmiTemplate.ts';

/**
 * Kinds whose change does not alter what VMs and VMIs are built from: they do
 * not bump `s.version` (the key of cached templates); every other kind does.
 */
const UNVERSIONED: ReadonlySet<string> = new Set([
  'VirtualMachine',
  'VirtualMachineInstance',
  'VirtualMachineInstanceMigration',
  'VirtualMachineInstanceReplicaSet',
  'VirtualMachinePool',
]);

/** Applies one object of any kind (not yet reconciled). Internal. */
export function applyObject(s: CoreState, obj: KubeObject): Result {
  if (!UNVERSIONED.has(obj.kind)) s.version++;
  switch (obj.kind) {
    case 'VirtualMachine':
      return applyVm(s, obj);
    case 'VirtualMachineInstance': {
      const existing = s.vmis.get(obj.metadata.name);
      if (existing) return OK; // VMI specs are immutable; labels are not modelled
      createVmi(s, obj.metadata.name, null, template(s, obj.spec), false);
      return OK;
    }
    case 'VirtualMachineInstanceMigration':
      if (s.migrations.has(obj.metadata.name)) return OK; // the spec is immutable
      return createMigration(s, obj.spec.vmiName, obj.metadata.name);
    case 'VirtualMachineInstanceReplicaSet':
      return applyReplicaSet(s, obj);
    case 'VirtualMachinePool':
      return applyPool(s, obj);
    case 'Node':
      applyNode(s, obj);
      return OK;
    case 'PersistentVolumeClaim':
      applyPvc(s, obj, null);
      return OK;
    case 'DataVolume':
      applyDv(s, obj.metadata.name, obj.spec, null);
      return OK;
    case 'NetworkAttachmentDefinition':
      return applyNad(s, obj);
    case 'ClusterConfig': {
      const cs = obj.spec;
      if (cs.defaultNetworkInterface) s.cluster.defaultNetworkInterface = cs.defaultNetworkInterface;
      if (cs.evictionStrategy) s.cluster.evictionStrategy = cs.evictionStrategy;
      if (cs.defaultTerminationGracePeriodSeconds !== undefined) s.cluster.terminationGracePeriodSeconds = cs.defaultTerminationGracePeriodSeconds;
      if (cs.parallelMigrationsPerCluster !== undefined) s.cluster.parallelMigrationsPerCluster = cs.parallelMigrationsPerCluster;
      if (cs.parallelOutboundMigrationsPerNode !== undefined)
        s.cluster.parallelOutboundMigrationsPerNode = cs.parallelOutboundMigrationsPerNode;
      putStore(s, obj);
      return OK;
    }
    default:
      putStore(s, obj);
      if (obj.kind === 'StorageClass') for (const p of s.pvcs.values()) if (p.phase === 'Pending' && !p.provisioning) bindIfImmediate(s, p);
      if (obj.kind === 'DataSource') for (const d of s.dvs.values()) if (d.phase === 'Pending') startDv(s, d);
      retryWaiting(s);
      return OK;
  }
}

/** Keeps an object in the generic store. Internal. */
export function putStore(s: CoreState, obj: KubeObject): void {
  let m = s.store.get(obj.kind);
  if (!m) s.store.set(obj.kind, (m = new Map()));
  m.set(obj.metadata.name, obj);
}

/** An object of the generic store by kind and name. Internal. */
export function getObject<T extends KubeObject>(s: CoreState, kind: T['kind'], name: string): T | undefined {
  return s.store.get(kind)?.get(name) as T | undefined;
}

/** Deletes one object of any kind (not yet reconciled). Internal. */
export function deleteObject(s: CoreState, ref: ObjectRef): Result {
  const n = ref.name;
  if (!UNVERSIONED.has(ref.kind)) s.version++;
  switch (ref.kind) {
    case 'VirtualMachine': {
      const vm = s.vms.get(n);
      if (!vm) return ERR.vmNotFound(n);
      requestVmDeletion(s, vm);
      return OK;
    }
    case 'VirtualMachineInstanceReplicaSet':
      return deleteReplicaSet(s, n);
    case 'VirtualMachinePool':
      return deletePool(s, n);
    case 'VirtualMachineInstance': {
      const vmi = s.vmis.get(n);
      if (!vmi) return ERR.vmiNotFound(n);
      deleteVmi(s, vmi, null);
      return OK;
    }
    case 'VirtualMachineInstanceMigration': {
      const m = s.migrations.get(n);
      if (!m) return ERR.notFound('virtualmachineinstancemigrations.kubevirt.io', n);
      if (m.phase === 'Pending') {
        finishMigration(s, m, 'Failed');
        s.migrations.delete(n);
      } else if (m.phase === 'Running') m.removeWhenFinal = true;
      else s.migrations.delete(n);
      return OK;
    }
    case 'PersistentVolumeClaim': {
      const p = s.pvcs.get(n);
      if (!p) return ERR.notFound('persistentvolumeclaims', n);
      deletePvc(s, p);
      return OK;
    }
    case 'DataVolume': {
      const d = s.dvs.get(n);
      if (!d) return ERR.notFound('datavolumes.cdi.kubevirt.io', n);
      deleteDv(s, d);
      return OK;
    }
    case 'Node': {
      const node = s.nodes.get(n);
      if (!node) return ERR.nodeNotFound(n);
      if ((s.nodeVmis.get(n)?.size ?? 0) > 0) return ERR.conflict(`node ${n} still runs VMIs`);
      s.nodes.delete(n);
      s.nodeVmis.delete(n);
      sortNodes(s);
      return OK;
    }
    default: {
      const m = s.store.get(ref.kind);
      if (!m?.delete(n)) return ERR.notFound(ref.kind, n);
      return OK;
    }
  }
}
