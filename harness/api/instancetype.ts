/** VirtualMachine(Cluster)Instancetype (instancetype.kubevirt.io/v1beta1). Public. */
import { z } from 'zod';
import { nonNegativeQuantity, objectMeta, positiveInt, typed } from './common.ts';
import type { InstancetypeSpec, VirtualMachineClusterInstancetype } from './types.ts';

export const instancetypeSpecSchema = typed<InstancetypeSpec>()(
  z.strictObject({
    cpu: z.strictObject({ guest: positiveInt }),
    memory: z.strictObject({ guest: nonNegativeQuantity }),
  }),
);

export const instancetypeSchema = typed<VirtualMachineClusterInstancetype>()(
  z.strictObject({
    apiVersion: z.literal('instancetype.kubevirt.io/v1beta1'),
    kind: z.enum(['VirtualMachineClusterInstancetype', 'VirtualMachineInstancetype']),
    metadata: objectMeta,
    spec: instancetypeSpecSchema,
  }),
);
