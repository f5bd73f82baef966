/**
 * Validation of one decoded object: the kind table (apiVersion, zod schema,
 * admission checks) and the mapping of zod issues to field paths. Public.
 */
import type { z } from 'zod';
import { clusterConfigSchema } from './clusterconfig.ts';
import { configMapSchema } from './configmap.ts';
import { dataSourceSchema } from './datasource.ts';
import { checkDataVolume, dataVolumeSchema } from './datavolume.ts';
import { instancetypeSchema } from './instancetype.ts';
import { pathOf, type FieldIssue } from './issues.ts';
import { migrationSchema } from './migration.ts';
import { checkNetworkAttachmentDefinition, networkAttachmentDefinitionSchema } from './nad.ts';
import { nodeSchema } from './node.ts';
import { checkPool, poolSchema } from './pool.ts';
import { preferenceSchema } from './preference.ts';
import { checkPersistentVolumeClaim, persistentVolumeClaimSchema } from './pvc.ts';
import { checkReplicaSet, replicaSetSchema } from './replicaset.ts';
import { secretSchema } from './secret.ts';
import { storageClassSchema } from './storageclass.ts';
import { checkTemplate, templateSchema } from './template.ts';
import type { KubeKind, KubeObject } from './types.ts';
import { checkVirtualMachine, virtualMachineSchema } from './virtualmachine.ts';
import { checkVirtualMachineInstance, virtualMachineInstanceSchema } from './virtualmachineinstance.ts';

interface KindEntry {
  schema: z.ZodType;
  check?: (o: never) => FieldIssue[];
}

/** Every kind the harness understands. Internal. */
const KINDS: Record<KubeKind, KindEntry> = {
  VirtualMachine: { schema: virtualMachineSchema, check: checkVirtualMachine },
  VirtualMachineInstance: { schema: virtualMachineInstanceSchema, check: checkVirtualMachineInstance },
  VirtualMachineInstanceMigration: { schema: migrationSchema },
  VirtualMachineInstanceReplicaSet: { schema: replicaSetSchema, check: checkReplicaSet },
  VirtualMachinePool: { schema: poolSchema, check: checkPool },
  VirtualMachineClusterInstancetype: { schema: instancetypeSchema },
  VirtualMachineInstancetype: { schema: instancetypeSchema },
  VirtualMachineClusterPreference: { schema: preferenceSchema },
  VirtualMachinePreference: { schema: preferenceSchema },
  DataVolume: { schema: dataVolumeSchema, check: checkDataVolume },
  DataSource: { schema: dataSourceSchema },
  PersistentVolumeClaim: { schema: persistentVolumeClaimSchema, check: checkPersistentVolumeClaim },
  StorageClass: { schema: storageClassSchema },
  ConfigMap: { schema: configMapSchema },
  Secret: { schema: secretSchema },
  Node: { schema: nodeSchema },
  NetworkAttachmentDefinition: { schema: networkAttachmentDefinitionSchema, check: checkNetworkAttachmentDefinition },
  Template: { schema: templateSchema, check: checkTemplate },
  ClusterConfig: { schema: clusterConfigSchema },
};

/** The kinds `loadManifests` accepts. Public. */
export const KNOWN_KINDS: readonly KubeKind[] = Object.keys(KINDS) as KubeKind[];

export type ObjectResult = { ok: true; object: KubeObject } | { ok: false; issues: FieldIssue[] };

/** Turns zod issues into field issues; unknown keys become one issue per key. Internal. */
export function fromZod(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const i of issues) {
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys) out.push({ path: pathOf([...i.path, k]), message: `unknown field "${k}"` });
    } else if (i.code === 'invalid_type' && i.message.endsWith('received undefined')) {
      out.push({ path: pathOf(i.path), message: `required field missing (expected ${i.expected})` });
    } else {
      out.push({ path: pathOf(i.path), message: i.message.replace(/^Invalid input: /, '') });
    }
  }
  return out;
}

/**
 * Validates a decoded manifest object: apiVersion/kind, schema (strict), then
 * the kind's admission checks. Referential problems (missing PVC, NAD,
 * DataSource) are not checked here: they show at run time. Public.
 */
export function validateObject(value: unknown): ObjectResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, issues: [{ path: '', message: 'a manifest must be a mapping' }] };
  }
  const o = value as Record<string, unknown>;
  const missing: FieldIssue[] = [];
  if (typeof o.apiVersion !== 'string') missing.push({ path: 'apiVersion', message: 'required field missing (expected string)' });
  if (typeof o.kind !== 'string') missing.push({ path: 'kind', message: 'required field missing (expected string)' });
  if (missing.length > 0) return { ok: false, issues: missing };
  const entry = (KINDS as Record<string, KindEntry | undefined>)[o.kind as string];
  if (entry === undefined) {
    return { ok: false, issues: [{ path: 'kind', message: `unknown kind "${String(o.kind)}" (known: ${KNOWN_KINDS.join(', ')})` }] };
  }
  const r = entry.schema.safeParse(value);
  if (!r.success) return { ok: false, issues: fromZod(r.error.issues) };
  const issues = entry.check?.(r.data as never) ?? [];
  return issues.length > 0 ? { ok: false, issues } : { ok: true, object: r.data as KubeObject };
}
