/**
 * VirtualMachineInstanceReplicaSet (kubevirt.io/v1, R-I3): schema and
 * KubeVirt's VMIRS admission (`ValidateVMIRSSpec`: the template's VMI spec,
 * selector vs template labels). Public.
 */
import { z } from 'zod';
import { head, nonNegativeInt, stringMap, typed } from './common.ts';
import type { FieldIssue } from './issues.ts';
import { checkSelector, labelSelectorSchema } from './selector.ts';
import type { VirtualMachineInstanceReplicaSet } from './types.ts';
import { checkVmiSpec, vmiSpecSchema, type VmiAdmissionConfig } from './virtualmachineinstance.ts';

/** Name prefixes are free strings in Kubernetes; the generated name is checked on use. */
const namePrefix = z.string().max(253, { error: 'must be no more than 253 characters' });

export const replicaSetSchema = typed<VirtualMachineInstanceReplicaSet>()(
  z.strictObject({
    ...head('kubevirt.io/v1', 'VirtualMachineInstanceReplicaSet'),
    spec: z.strictObject({
      replicas: nonNegativeInt.optional(),
      selector: labelSelectorSchema,
      template: z.strictObject({
        metadata: z
          .strictObject({
            name: namePrefix.optional(),
            generateName: namePrefix.optional(),
            labels: stringMap.optional(),
            annotations: stringMap.optional(),
          })
          .optional(),
        spec: vmiSpecSchema,
      }),
    }),
  }),
);

/** KubeVirt VMIRS admission checks (after schema validation). Public. */
export function checkReplicaSet(rs: VirtualMachineInstanceReplicaSet, config: VmiAdmissionConfig = {}): FieldIssue[] {
  return [...checkVmiSpec(rs.spec.template?.spec, 'spec.template.spec', config), ...checkSelector(rs.spec.selector, rs.spec.template?.metadata?.labels)];
}
