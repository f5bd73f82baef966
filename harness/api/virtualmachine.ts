/**
 * VirtualMachine (kubevirt.io/v1): schema and the VM admission checks of
 * KubeVirt's vms-admitter (run strategy, instance type conflicts), plus the
 * VMI checks on its template (R-RS0, R-I1). Public.
 */
import { z } from 'zod';
import { head, subdomainName, stringMap, typed } from './common.ts';
import { dataVolumeSpecSchema } from './datavolume.ts';
import { setDefaultVolumeDisk } from './defaults.ts';
import { join, type FieldIssue } from './issues.ts';
import { RUN_STRATEGIES, type DataVolumeTemplate, type RunStrategy, type VirtualMachine, type VirtualMachineSpec } from './types.ts';
import { checkVmiMetadata, checkVmiSpec, vmiSpecSchema, zeroFilled, type VmiAdmissionConfig } from './virtualmachineinstance.ts';

export const virtualMachineSpecSchema = typed<VirtualMachineSpec>()(
  z.strictObject({
    running: z.boolean().optional(),
    // Any string here: an unknown strategy is an admission error with KubeVirt's text (checkVirtualMachine).
    runStrategy: (z.string() as unknown as z.ZodType<RunStrategy>).optional(),
    instancetype: z
      .strictObject({
        name: subdomainName,
        kind: z.enum(['VirtualMachineClusterInstancetype', 'VirtualMachineInstancetype']).optional(),
      })
      .optional(),
    preference: z
      .strictObject({
        name: subdomainName,
        kind: z.enum(['VirtualMachineClusterPreference', 'VirtualMachinePreference']).optional(),
      })
      .optional(),
    dataVolumeTemplates: z
      .array(z.strictObject({ metadata: z.strictObject({ name: subdomainName }), spec: dataVolumeSpecSchema }))
      .optional(),
    template: z.strictObject({
      metadata: z.strictObject({ labels: stringMap.optional(), annotations: stringMap.optional() }).optional(),
      spec: vmiSpecSchema,
    }),
  }),
);

export const virtualMachineSchema = typed<VirtualMachine>()(
  z.strictObject({ ...head('kubevirt.io/v1', 'VirtualMachine'), spec: virtualMachineSpecSchema }),
);

const RUN_STRATEGY_SET: ReadonlySet<string> = new Set(RUN_STRATEGIES);

/** Fields an instance type owns, relative to spec.template.spec.domain ([KV] conflicts.go). */
const INSTANCETYPE_FIELDS: readonly (readonly [string, string])[] = [
  ['cpu', 'sockets'],
  ['cpu', 'cores'],
  ['cpu', 'threads'],
  ['memory', 'guest'],
];
const RESOURCE_FIELDS = ['requests', 'limits'] as const;

/** Template paths that conflict with the selected instance type (internal, allocation-light). */
function instancetypeConflicts(vm: VirtualMachineSpec): string[] {
  const d = zeroFilled(vm.template.spec).domain as unknown as Record<string, Record<string, unknown> | undefined>;
  const out: string[] = [];
  const base = 'spec.template.spec.domain';
  for (const [group, field] of INSTANCETYPE_FIELDS) {
    if (d[group]?.[field] !== undefined) out.push(`${base}.${group}.${field}`);
  }
  const res = zeroFilled(vm.template.spec).domain.resources;
  for (const r of RESOURCE_FIELDS) {
    if (res?.[r]?.cpu !== undefined) out.push(`${base}.resources.${r}.cpu`);
    if (res?.[r]?.memory !== undefined) out.push(`${base}.resources.${r}.memory`);
  }
  return out;
}

/** Instance types and preferences admission may find, by kind and name. Public. */
export type Lookup = (kind: string, name: string) => { spec?: unknown } | undefined;

/** What the VM admitter needs of the cluster. Public. */
export interface VmAdmissionConfig extends VmiAdmissionConfig {
  lookup?: Lookup;
}

export interface Admission {
  issues: FieldIssue[];
  warnings: string[];
}

/**
 * The kind a matcher names, as pkg/instancetype/find resolves it: the
 * cluster-wide kind when empty, case-insensitive (strings.ToLower). Internal to harness/api.
 */
export function matcherKind(kind: string | undefined, namespaced: string, cluster: string): string | undefined {
  const k = (kind ?? '').toLowerCase();
  if (k === '' || k === cluster.toLowerCase() || k === `${cluster.toLowerCase()}s`) return cluster;
  if (k === namespaced.toLowerCase() || k === `${namespaced.toLowerCase()}s`) return namespaced;
  return undefined;
}

/**
 * pkg/storage/admitters/data-volume-template.go ValidateDataVolumeTemplate:
 * a name, a target, and a reference from the template's volumes (the field
 * path is KubeVirt's: `spec.dataVolumeTemplate[i]`). Internal.
 */
function checkDataVolumeTemplates(s: VirtualMachineSpec): FieldIssue[] {
  const issues: FieldIssue[] = [];
  s.dataVolumeTemplates?.forEach((item, i) => {
    const p = join('spec.dataVolumeTemplate', i);
    // The items are nullable in the CRD: a null is the zero DataVolumeTemplateSpec in Go.
    const t = (item ?? {}) as Partial<DataVolumeTemplate>;
    const spec = (t.spec ?? {}) as unknown as Record<string, unknown>;
    if (t.metadata?.name === undefined || t.metadata.name === '') {
      issues.push({ path: `${p}.name`, message: `'name' field must not be empty for DataVolumeTemplate entry ${p}.name.` });
      return;
    }
    if (spec.pvc === undefined && spec.storage === undefined) {
      issues.push({ path: `${p}.PVC.Storage`, message: 'Missing Data volume PVC or Storage' });
      return;
    }
    if (spec.pvc !== undefined && spec.storage !== undefined) {
      issues.push({ path: `${p}.PVC.Storage`, message: 'Duplicate storage definition, both target storage and target pvc defined' });
      return;
    }
    const name = t.metadata.name;
    const referenced = (s.template.spec?.volumes ?? []).some(
      (v) => v.persistentVolumeClaim?.claimName === name || v.dataVolume?.name === name,
    );
    if (!referenced) issues.push({ path: p, message: `DataVolumeTemplate entry ${p} must be referenced in the VMI template's 'volumes' list` });
  });
  return issues;
}

/**
 * VMsAdmitter.Admit (vms-admitter.go), stage by stage, the first failing
 * stage answering: the instance type and preference applied to a copy
 * (pkg/instancetype/webhooks/vm admitter.go ApplyToVM: a look-up failure is
 * ignored, a conflict refuses), the defaults (SetDefaultVirtualMachineInstanceSpec),
 * the feature gates and the VMI spec (ValidateVirtualMachineSpec →
 * ValidateVirtualMachineInstanceMetadata on the template's metadata,
 * ValidateVirtualMachineInstanceSpec, ValidateDataVolumeTemplate,
 * validateRunStrategy). Public.
 */
export function admitVirtualMachine(vm: VirtualMachine, config: VmAdmissionConfig = {}): Admission {
  const s = vm.spec;
  const warnings: string[] = [];
  if (s.instancetype !== undefined) {
    const kind = matcherKind(s.instancetype.kind, 'VirtualMachineInstancetype', 'VirtualMachineClusterInstancetype');
    const found = kind !== undefined ? config.lookup?.(kind, s.instancetype.name) : undefined;
    // Not found: KubeVirt logs the look-up failure and admits the VM (it cannot start until the instancetype exists).
    if (found !== undefined) {
      const conflicts = instancetypeConflicts(s);
      if (conflicts.length > 0) return { issues: conflicts.map((p) => ({ path: p, message: `VM field(s) ${p} conflicts with selected instance type` })), warnings };
    }
  }
  const issues: FieldIssue[] = [];
  if (s.running !== undefined && s.runStrategy !== undefined) {
    issues.push({
      path: 'spec.running',
      message: 'Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead',
    });
  } else if (s.running === undefined && s.runStrategy === undefined) {
    issues.push({ path: 'spec.runStrategy', message: 'RunStrategy must be specified' });
  } else if (s.runStrategy !== undefined && !RUN_STRATEGY_SET.has(s.runStrategy)) {
    issues.push({ path: 'spec.runStrategy', message: `Invalid RunStrategy (${s.runStrategy})` });
  }
  const spec = setDefaultVolumeDisk(s.template.spec);
  issues.push(...checkVmiSpec(spec, 'spec.template.spec', config));
  issues.push(...checkVmiMetadata(s.template.metadata?.annotations, 'spec.template.metadata', config));
  issues.push(...checkDataVolumeTemplates(s));
  if (issues.length > 0) return { issues, warnings };
  if (s.running !== undefined) warnings.push('spec.running is deprecated, please use spec.runStrategy instead.');
  return { issues: [], warnings };
}

/** The issues of admitVirtualMachine (kept for callers that need no warnings). Public. */
export function checkVirtualMachine(vm: VirtualMachine, config: VmAdmissionConfig = {}): FieldIssue[] {
  return admitVirtualMachine(vm, config).issues;
}
