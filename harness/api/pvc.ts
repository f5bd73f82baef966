/** PersistentVolumeClaim (core v1): accessModes and a storage request are required. Public. */
import { z } from 'zod';
import { accessMode } from './datavolume.ts';
import { head, nonNegativeQuantity, subdomainName, typed } from './common.ts';
import type { FieldIssue } from './issues.ts';
import type { PersistentVolumeClaim } from './types.ts';

export const persistentVolumeClaimSchema = typed<PersistentVolumeClaim>()(
  z.strictObject({
    ...head('v1', 'PersistentVolumeClaim'),
    spec: z.strictObject({
      accessModes: z.array(accessMode),
      resources: z.strictObject({ requests: z.strictObject({ storage: nonNegativeQuantity }) }),
      storageClassName: subdomainName.optional(),
      volumeMode: z.enum(['Filesystem', 'Block']).optional(),
    }),
  }),
);

/** At least one access mode. Public. */
export function checkPersistentVolumeClaim(pvc: PersistentVolumeClaim): FieldIssue[] {
  return pvc.spec.accessModes.length === 0 ? [{ path: 'spec.accessModes', message: 'at least 1 access mode is required' }] : [];
}
