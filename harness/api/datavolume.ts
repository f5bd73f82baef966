/**
 * DataVolume (cdi.kubevirt.io/v1beta1), also the spec of a VM's
 * dataVolumeTemplates. Public.
 */
import { z } from 'zod';
import { empty, head, nonNegativeQuantity, subdomainName, typed, labelName } from './common.ts';
import { join, type FieldIssue } from './issues.ts';
import type { DataVolume, DataVolumeSpec } from './types.ts';

export const accessMode = z.enum(['ReadWriteOnce', 'ReadWriteMany', 'ReadOnlyMany', 'ReadWriteOncePod']);

export const dataVolumeSpecSchema = typed<DataVolumeSpec>()(
  z.strictObject({
    source: z
      .strictObject({
        blank: empty.optional(),
        registry: z.strictObject({ url: z.string().min(1) }).optional(),
        pvc: z.strictObject({ name: subdomainName, namespace: labelName.optional() }).optional(),
      })
      .optional(),
    sourceRef: z
      .strictObject({ kind: z.literal('DataSource'), name: subdomainName, namespace: labelName.optional() })
      .optional(),
    storage: z
      .strictObject({
        accessModes: z.array(accessMode).optional(),
        resources: z.strictObject({ requests: z.strictObject({ storage: nonNegativeQuantity.optional() }).optional() }).optional(),
        storageClassName: subdomainName.optional(),
      })
      .optional(),
  }),
);

export const dataVolumeSchema = typed<DataVolume>()(
  z.strictObject({ ...head('cdi.kubevirt.io/v1beta1', 'DataVolume'), spec: dataVolumeSpecSchema }),
);

/** Exactly one of source / sourceRef, and exactly one source type. `at` is the spec's path. Public. */
export function checkDataVolumeSpec(spec: DataVolumeSpec, at: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if ((spec.source === undefined) === (spec.sourceRef === undefined)) {
    issues.push({ path: at, message: 'exactly one of source or sourceRef must be set' });
  }
  if (spec.source !== undefined) {
    const n = Number(spec.source.blank !== undefined) + Number(spec.source.registry !== undefined) + Number(spec.source.pvc !== undefined);
    if (n !== 1) issues.push({ path: join(at, 'source'), message: 'exactly one of blank, registry or pvc must be set' });
  }
  return issues;
}

export function checkDataVolume(dv: DataVolume): FieldIssue[] {
  return checkDataVolumeSpec(dv.spec, 'spec');
}
