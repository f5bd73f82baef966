/**
 * The simulated subset (docs/api.md, "What vmconform accepts and what it
 * simulates"): the zod schema of each kind lists the fields the model gives
 * meaning to, typed by types.ts. Validation is KubeVirt's (validator.ts);
 * this only tells which accepted fields the model does not simulate. Internal
 * but for `unsimulatedFields`, exported through index.ts.
 */
import type { z } from 'zod';
import { clusterConfigSchema } from './clusterconfig.ts';
import { configMapSchema } from './configmap.ts';
import { dataSourceSchema } from './datasource.ts';
import { dataVolumeSchema } from './datavolume.ts';
import { instancetypeSchema } from './instancetype.ts';
import { pathOf } from './issues.ts';
import { migrationSchema } from './migration.ts';
import { migrationPolicySchema } from './migrationpolicy.ts';
import { networkAttachmentDefinitionSchema } from './nad.ts';
import { nodeSchema } from './node.ts';
import { poolSchema } from './pool.ts';
import { preferenceSchema } from './preference.ts';
import { persistentVolumeClaimSchema } from './pvc.ts';
import { replicaSetSchema } from './replicaset.ts';
import { secretSchema } from './secret.ts';
import { storageClassSchema } from './storageclass.ts';
import { templateSchema } from './template.ts';
import type { KubeKind } from './types.ts';
import { virtualMachineSchema } from './virtualmachine.ts';
import { virtualMachineInstanceSchema } from './virtualmachineinstance.ts';

/** Every kind the model simulates, with the schema of its simulated fields. Internal. */
export const SIMULATED: Record<KubeKind, z.ZodType> = {
  VirtualMachine: virtualMachineSchema,
  VirtualMachineInstance: virtualMachineInstanceSchema,
  VirtualMachineInstanceMigration: migrationSchema,
  MigrationPolicy: migrationPolicySchema,
  VirtualMachineInstanceReplicaSet: replicaSetSchema,
  VirtualMachinePool: poolSchema,
  VirtualMachineClusterInstancetype: instancetypeSchema,
  VirtualMachineInstancetype: instancetypeSchema,
  VirtualMachineClusterPreference: preferenceSchema,
  VirtualMachinePreference: preferenceSchema,
  DataVolume: dataVolumeSchema,
  DataSource: dataSourceSchema,
  PersistentVolumeClaim: persistentVolumeClaimSchema,
  StorageClass: storageClassSchema,
  ConfigMap: configMapSchema,
  Secret: secretSchema,
  Node: nodeSchema,
  NetworkAttachmentDefinition: networkAttachmentDefinitionSchema,
  Template: templateSchema,
  ClusterConfig: clusterConfigSchema,
};

/** The message of a warning about a field (or kind) accepted but not simulated. Public. */
export const NOT_SIMULATED = 'accepted, not simulated';

/** Metadata the apiserver owns or that only kubectl reads: never a simulation gap (internal). */
const IGNORED = /(^|\.)metadata\.(uid|resourceVersion|generation|creationTimestamp|selfLink|managedFields|finalizers|ownerReferences|generateName)$/;

function valueAt(o: unknown, path: readonly PropertyKey[]): unknown {
  let v = o;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/**
 * Field paths of an accepted object that the model does not simulate: each
 * field (or value) outside the kind's simulated schema, once, in document
 * order. Empty for a kind the model does not know at all (the caller says
 * "kind not simulated"). Public.
 */
export function unsimulatedFields(obj: { kind: string }): string[] {
  const schema = (SIMULATED as Record<string, z.ZodType | undefined>)[obj.kind];
  if (schema === undefined) return [];
  const r = schema.safeParse(obj);
  if (r.success) return [];
  const out = new Set<string>();
  for (const i of r.error.issues) {
    if (i.code === 'unrecognized_keys') for (const k of i.keys) out.add(pathOf([...i.path, k]));
    // A null the schema allows (nullable) is as good as absent.
    else if (valueAt(obj, i.path) !== null) out.add(pathOf(i.path));
  }
  return [...out].filter((p) => !IGNORED.test(p));
}
