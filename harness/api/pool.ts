/**
 * VirtualMachinePool (pool.kubevirt.io/v1beta1, R-I3): schema and KubeVirt's
 * pool admission (the template's VM spec as a VM's, selector vs template
 * labels). Public.
 */
import { z } from 'zod';
import { head, nonNegativeInt, stringMap, typed } from './common.ts';
import type { FieldIssue } from './issues.ts';
import { checkSelector, labelSelectorSchema } from './selector.ts';
import type { VirtualMachinePool } from './types.ts';
import { checkVirtualMachine, virtualMachineSpecSchema, type VmAdmissionConfig } from './virtualmachine.ts';

export const poolSchema = typed<VirtualMachinePool>()(
  z.strictObject({
    ...head('pool.kubevirt.io/v1beta1', 'VirtualMachinePool'),
    spec: z.strictObject({
      replicas: nonNegativeInt.optional(),
      selector: labelSelectorSchema,
      virtualMachineTemplate: z.strictObject({
        metadata: z.strictObject({ labels: stringMap.optional(), annotations: stringMap.optional() }).optional(),
        spec: virtualMachineSpecSchema,
      }),
    }),
  }),
);

const TEMPLATE_SPEC = 'spec.virtualMachineTemplate.spec';

/**
 * vmpool-admitter.go ValidateVMPoolSpec: the template's VM spec through
 * ValidateVirtualMachineSpec (no instance type is applied: `lookup` is not
 * passed on), selector vs template labels. Public.
 */
export function checkPool(pool: VirtualMachinePool, config: VmAdmissionConfig = {}): FieldIssue[] {
  const spec = pool.spec.virtualMachineTemplate?.spec;
  if (spec?.template === undefined) return [{ path: `${TEMPLATE_SPEC}.template`, message: 'missing virtual machine template.' }];
  const gates = config.featureGates !== undefined ? { featureGates: config.featureGates } : {};
  const vmIssues = checkVirtualMachine({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: pool.metadata, spec }, gates);
  return [
    ...vmIssues.map((i) => ({ ...i, path: i.path === 'spec' ? TEMPLATE_SPEC : i.path.replace(/^spec\./, `${TEMPLATE_SPEC}.`) })),
    ...checkSelector(pool.spec.selector, pool.spec.virtualMachineTemplate.metadata?.labels),
  ];
}
