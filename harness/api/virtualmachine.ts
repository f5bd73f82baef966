/**
 * VirtualMachine (kubevirt.io/v1): schema and the VM admission checks of
 * KubeVirt's vms-admitter (run strategy, instance type conflicts), plus the
 * VMI checks on its template (R-RS0, R-I1). Public.
 */
import { z } from 'zod';
import { head, subdomainName, stringMap, typed } from './common.ts';
import { checkDataVolumeSpec, dataVolumeSpecSchema } from './datavolume.ts';
import { join, type FieldIssue } from './issues.ts';
import { RUN_STRATEGIES, type RunStrategy, type VirtualMachine, type VirtualMachineSpec } from './types.ts';
import { checkVmiSpec, vmiSpecSchema } from './virtualmachineinstance.ts';

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
  const d = vm.template.spec.domain as unknown as Record<string, Record<string, unknown> | undefined>;
  const out: string[] = [];
  const base = 'spec.template.spec.domain';
  for (const [group, field] of INSTANCETYPE_FIELDS) {
    if (d[group]?.[field] !== undefined) out.push(`${base}.${group}.${field}`);
  }
  const res = vm.template.spec.domain.resources;
  for (const r of RESOURCE_FIELDS) {
    if (res?.[r]?.cpu !== undefined) out.push(`${base}.resources.${r}.cpu`);
    if (res?.[r]?.memory !== undefined) out.push(`${base}.resources.${r}.memory`);
  }
  return out;
}

/** KubeVirt VM admission checks (after schema validation). Public. */
export function checkVirtualMachine(vm: VirtualMachine): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const s = vm.spec;
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
  if (s.instancetype !== undefined) {
    for (const p of instancetypeConflicts(s)) {
      issues.push({ path: p, message: `VM field(s) ${p} conflicts with selected instance type` });
    }
  }
  const dvNames = new Set<string>();
  s.dataVolumeTemplates?.forEach((t, i) => {
    const p = join('spec.dataVolumeTemplates', i);
    if (dvNames.has(t.metadata.name)) issues.push({ path: `${p}.metadata.name`, message: `duplicate name "${t.metadata.name}"` });
    dvNames.add(t.metadata.name);
    issues.push(...checkDataVolumeSpec(t.spec, `${p}.spec`));
  });
  issues.push(...checkVmiSpec(s.template.spec, 'spec.template.spec'));
  return issues;
}
