/** VirtualMachine(Cluster)Preference (instancetype.kubevirt.io/v1beta1): defaults only. Public. */
import { z } from 'zod';
import { nonNegativeInt, objectMeta, typed } from './common.ts';
import type { PreferenceSpec, VirtualMachineClusterPreference } from './types.ts';

export const preferenceSpecSchema = typed<PreferenceSpec>()(
  z.strictObject({
    devices: z
      .strictObject({
        preferredDiskBus: z.enum(['virtio', 'sata', 'scsi', 'usb']).optional(),
        preferredInterfaceModel: z.string().optional(),
      })
      .optional(),
    cpu: z
      .strictObject({
        preferredCPUTopology: z
          .enum(['preferSockets', 'preferCores', 'preferThreads', 'preferSpread', 'preferAny', 'sockets', 'cores', 'threads', 'spread', 'any'])
          .optional(),
      })
      .optional(),
    preferredTerminationGracePeriodSeconds: nonNegativeInt.optional(),
  }),
);

export const preferenceSchema = typed<VirtualMachineClusterPreference>()(
  z.strictObject({
    apiVersion: z.literal('instancetype.kubevirt.io/v1beta1'),
    kind: z.enum(['VirtualMachineClusterPreference', 'VirtualMachinePreference']),
    metadata: objectMeta,
    spec: preferenceSpecSchema,
  }),
);
