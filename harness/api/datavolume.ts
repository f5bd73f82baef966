/**
 * DataVolume (cdi.kubevirt.io/v1beta1), also the spec of a VM's
 * dataVolumeTemplates. Public.
 */
import { z } from 'zod';
import { empty, head, nonNegativeQuantity, subdomainName, typed, labelName } from './common.ts';
import { join, type FieldIssue } from './issues.ts';
import { parseQuantity } from './quantity.ts';
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

type Loose = Record<string, unknown>;

/**
 * CDI's DataVolume webhook (containerized-data-importer
 * pkg/apiserver/webhooks/datavolume-validate.go validateDataVolumeSpec): a
 * target (pvc or storage, not both), a size that is not zero, one of source or
 * sourceRef, exactly one source type (util.go validateNumberOfSources). `at` is
 * the spec's path. Public.
 */
export function checkDataVolumeSpec(spec: DataVolumeSpec, at: string): FieldIssue[] {
  const s = spec as DataVolumeSpec & Loose;
  if (s.pvc === undefined && s.storage === undefined) return [{ path: join(at, 'PVC'), message: 'Missing Data volume PVC' }];
  if (s.pvc !== undefined && s.storage !== undefined) {
    return [{ path: join(join(at, 'PVC'), 'Storage'), message: 'Duplicate storage definition, both target storage and target pvc defined' }];
  }
  const target = (s.pvc ?? s.storage) as { resources?: { requests?: { storage?: string } }; dataSource?: unknown; dataSourceRef?: unknown };
  const size = target.resources?.requests?.storage;
  const name = s.pvc !== undefined ? 'PVC' : 'Storage';
  if (size !== undefined && (parseQuantity(size) ?? 0) <= 0) {
    return [{ path: `${at}.${name}.resources.requests.size`, message: `${name} size can't be equal or less than zero` }];
  }
  const src = s.source as Loose | undefined;
  const isClone = src?.pvc !== undefined || src?.snapshot !== undefined || s.sourceRef !== undefined;
  if (size === undefined && (s.storage === undefined || !isClone)) {
    return [{ path: `${at}.${name}.resources.requests.size`, message: `${name} size is missing` }];
  }
  if (target.dataSource !== undefined || target.dataSourceRef !== undefined) return [];
  if ((s.source === undefined) === (s.sourceRef === undefined)) {
    return [{ path: join(at, 'source'), message: 'Data volume should have either Source or SourceRef, or be externally populated' }];
  }
  // validateSourceRef.
  const ref = s.sourceRef as { kind?: string; name?: string } | undefined;
  if (ref !== undefined) {
    if (!ref.kind) return [{ path: join(join(at, 'sourceRef'), 'Kind'), message: 'Missing sourceRef kind' }];
    if (ref.kind !== 'DataSource') {
      return [{ path: join(join(at, 'sourceRef'), 'Kind'), message: `Unsupported sourceRef kind ${ref.kind}, currently only DataSource is supported` }];
    }
    if (!ref.name) return [{ path: join(join(at, 'sourceRef'), 'Name'), message: 'Missing sourceRef name' }];
  }
  if (s.source !== undefined) {
    const n = Object.values(s.source).filter((v) => v !== undefined && v !== null).length;
    if (n === 0) return [{ path: join(at, 'source'), message: 'Missing Data volume source' }];
    if (n > 1) return [{ path: join(at, 'source'), message: 'Multiple Data volume sources' }];
  }
  return [];
}

export function checkDataVolume(dv: DataVolume): FieldIssue[] {
  return checkDataVolumeSpec(dv.spec, 'spec');
}
