/**
 * Admission as KubeVirt's validating webhooks (and CDI's) answer, per kind,
 * after the defaults their mutating webhooks apply (docs/api.md,
 * "Admission"). Each rule lives with its kind and names its KubeVirt source.
 * Internal.
 */
import { checkDataVolume } from './datavolume.ts';
import type { FeatureGateConfig } from './featuregates.ts';
import type { FieldIssue } from './issues.ts';
import { checkNetworkAttachmentDefinition } from './nad.ts';
import { checkPool } from './pool.ts';
import { checkPersistentVolumeClaim } from './pvc.ts';
import { checkReplicaSet } from './replicaset.ts';
import { checkTemplate } from './template.ts';
import { setDefaultVolumeDisk } from './defaults.ts';
import type { DataVolume, NetworkAttachmentDefinition, PersistentVolumeClaim, Template, VirtualMachine, VirtualMachineInstance, VirtualMachineInstanceReplicaSet, VirtualMachinePool } from './types.ts';
import { admitVirtualMachine, type Admission, type Lookup } from './virtualmachine.ts';
import { checkVirtualMachineInstance } from './virtualmachineinstance.ts';

/** The cluster as admission sees it: feature gates and the objects it may look up. Public. */
export interface AdmissionContext {
  featureGates?: FeatureGateConfig;
  lookup?: Lookup;
}

type Admitter = (o: Record<string, unknown>, ctx: AdmissionContext) => Admission;

const only = (issues: FieldIssue[]): Admission => ({ issues, warnings: [] });

/**
 * The admitters by kind. A kind absent here has no validating webhook beyond
 * its schema (instance types, preferences, DataSource, ConfigMap, …).
 */
const ADMITTERS: Record<string, Admitter> = {
  VirtualMachine: (o, ctx) => admitVirtualMachine(o as unknown as VirtualMachine, ctx),
  // The VMI mutating webhook (pkg/virt-api/webhooks/mutating-webhook/mutators vmi-mutator.go) defaults first.
  VirtualMachineInstance: (o, ctx) => {
    const vmi = o as unknown as VirtualMachineInstance;
    vmi.spec = setDefaultVolumeDisk(vmi.spec);
    return only(checkVirtualMachineInstance(vmi, ctx));
  },
  VirtualMachineInstanceReplicaSet: (o, ctx) => only(checkReplicaSet(o as unknown as VirtualMachineInstanceReplicaSet, ctx)),
  VirtualMachinePool: (o, ctx) => only(checkPool(o as unknown as VirtualMachinePool, ctx)),
  // migration-create-admitter.go: the VMI must exist and be migratable; checked when the migration is applied.
  DataVolume: (o) => only(checkDataVolume(o as unknown as DataVolume)),
  NetworkAttachmentDefinition: (o) => only(checkNetworkAttachmentDefinition(o as unknown as NetworkAttachmentDefinition)),
  PersistentVolumeClaim: (o) => only(checkPersistentVolumeClaim(o as unknown as PersistentVolumeClaim)),
  Template: (o) => only(checkTemplate(o as unknown as Template)),
};

/** Runs the admitter of `kind` on an object that passed its schema; may default fields in place. Internal. */
export function admit(kind: string, o: Record<string, unknown>, ctx: AdmissionContext): Admission {
  return ADMITTERS[kind]?.(o, ctx) ?? { issues: [], warnings: [] };
}
