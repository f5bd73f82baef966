/**
 * Admission as KubeVirt's validating webhooks (and CDI's) answer, per kind,
 * after the defaults their mutating webhooks apply (docs/api.md,
 * "Admission"). Each rule lives with its kind and names its KubeVirt source.
 * Internal.
 */
import { checkDataVolume } from './datavolume.ts';
import { isFeatureGateEnabled, type FeatureGateConfig } from './featuregates.ts';
import type { FieldIssue } from './issues.ts';
import { checkMigrationPolicy } from './migrationpolicy.ts';
import { checkNetworkAttachmentDefinition } from './nad.ts';
import { checkPool } from './pool.ts';
import { checkPersistentVolumeClaim } from './pvc.ts';
import { checkReplicaSet } from './replicaset.ts';
import { checkTemplate } from './template.ts';
import { setDefaultVolumeDisk } from './defaults.ts';
import type { DataVolume, MigrationPolicy, NetworkAttachmentDefinition, PersistentVolumeClaim, Template, VirtualMachine, VirtualMachineInstance, VirtualMachineInstanceReplicaSet, VirtualMachinePool } from './types.ts';
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
  VirtualMachineInstanceMigration: (o, ctx) => admitMigration(o, ctx),
  MigrationPolicy: (o, ctx) => only(checkMigrationPolicy(o as unknown as MigrationPolicy, ctx.featureGates)),
  DataVolume: (o) => only(checkDataVolume(o as unknown as DataVolume)),
  NetworkAttachmentDefinition: (o) => only(checkNetworkAttachmentDefinition(o as unknown as NetworkAttachmentDefinition)),
  PersistentVolumeClaim: (o) => only(checkPersistentVolumeClaim(o as unknown as PersistentVolumeClaim)),
  Template: (o) => only(checkTemplate(o as unknown as Template)),
};

/**
 * MigrationCreateAdmitter.Admit (migration-create-admitter.go): the spec
 * (ValidateVirtualMachineInstanceMigrationSpec), the priority only
 * virt-controller may set, the decentralized-migration gate; then the VMI must
 * exist — checked when admission has a look-up (a load judged as a fresh
 * cluster); whether it is migratable shows when the migration is applied
 * (the VMI has no status in a load). Internal.
 */
function admitMigration(o: Record<string, unknown>, ctx: AdmissionContext): Admission {
  const spec = (o.spec ?? {}) as { vmiName?: string; priority?: unknown; sendTo?: unknown; receive?: unknown };
  if (spec.vmiName === undefined || spec.vmiName === '') return only([{ path: 'spec.vmiName', message: 'vmiName is missing' }]);
  if (spec.priority !== undefined) {
    return only([{ path: 'spec.migrationPriority', message: 'Migration priority queue, only virt-controller is allowed to set priority field' }]);
  }
  if (ctx.lookup !== undefined && ctx.lookup('VirtualMachineInstance', spec.vmiName) === undefined) {
    const ns = (o.metadata as { namespace?: string } | undefined)?.namespace ?? 'default';
    return only([{ path: '', message: `the VMI "${ns}/${spec.vmiName}" does not exist` }]);
  }
  if ((spec.sendTo !== undefined || spec.receive !== undefined) && !isFeatureGateEnabled('DecentralizedLiveMigration', ctx.featureGates)) {
    return only([{ path: '', message: 'DecentralizedLiveMigration feature gate is not enabled in kubevirt resource' }]);
  }
  return only([]);
}

/** Runs the admitter of `kind` on an object that passed its schema; may default fields in place. Internal. */
export function admit(kind: string, o: Record<string, unknown>, ctx: AdmissionContext): Admission {
  return ADMITTERS[kind]?.(o, ctx) ?? { issues: [], warnings: [] };
}
