/** StorageClass (storage.k8s.io/v1) with one of the harness's two provisioners. Public. */
import { z } from 'zod';
import { head, typed } from './common.ts';
import { PROVISIONERS, type StorageClass } from './types.ts';

export const storageClassSchema = typed<StorageClass>()(
  z.strictObject({
    ...head('storage.k8s.io/v1', 'StorageClass'),
    provisioner: z.enum(PROVISIONERS),
    volumeBindingMode: z.enum(['Immediate', 'WaitForFirstConsumer']).optional(),
  }),
);
