/**
 * `Table` answers (meta.k8s.io/v1, k8s.io/apimachinery pkg/apis/meta/v1
 * types.go Table) for `kubectl get`: the KubeVirt kinds' columns come from
 * harness/observe/tables.ts (the CRDs' additionalPrinterColumns, one table
 * with `vmconform get`); a column shown only with `-o wide` has priority 1.
 * Date columns are rendered server side as human durations, as the
 * apiserver's CRD table convertor does (k8s.io/apiextensions-apiserver
 * pkg/registry/customresource/tableconvertor). The core kinds get the
 * columns of the apiserver's printers (pkg/printers/internalversion
 * printers.go), as far as the harness has the data. Internal.
 */
import type { ApiObject } from '../cluster/index.ts';
import { humanDuration, RESOURCE_KIND, tableRows, type Resource } from '../observe/tables.ts';
import type { ResourceDef } from './resources.ts';
import type { Snapshot } from './feed.ts';

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string };
  columnDefinitions: ColumnDefinition[];
  rows: { cells: (string | number)[]; object: unknown }[];
}

type Cell = (o: ApiObject, age: (o: ApiObject) => string) => string | number;
interface Col {
  name: string;
  cell: Cell;
  priority?: number;
  type?: string;
}

const age: Col = { name: 'Age', cell: (o, a) => a(o), type: 'date' };
const cond = (o: ApiObject, type: string) => ((o.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === type)?.status;

/** Columns of the core kinds (the apiserver's printers) and CDI's (its CRDs' printer columns). */
const CORE_COLUMNS: Readonly<Record<string, Col[]>> = {
  Namespace: [{ name: 'Status', cell: () => 'Active' }, age],
  Node: [
    { name: 'Status', cell: (o) => [cond(o, 'Ready') === 'True' ? 'Ready' : 'NotReady', ...((o.spec as { unschedulable?: boolean } | undefined)?.unschedulable ? ['SchedulingDisabled'] : [])].join(',') },
    { name: 'Roles', cell: () => '<none>' },
    age,
    { name: 'Version', cell: () => 'v1.30.0-vmconform' },
  ],
  Pod: [
    { name: 'Ready', cell: (o) => ((o.status as { phase?: string }).phase === 'Running' ? '1/1' : '0/1') },
    { name: 'Status', cell: (o) => (o.status as { phase?: string }).phase ?? '' },
    { name: 'Restarts', cell: () => 0, type: 'integer' },
    age,
    { name: 'IP', cell: (o) => (o.status as { podIP?: string }).podIP ?? '<none>', priority: 1 },
    { name: 'Node', cell: (o) => (o.spec as { nodeName?: string }).nodeName ?? '<none>', priority: 1 },
  ],
  PersistentVolumeClaim: [
    { name: 'Status', cell: (o) => (o.status as { phase?: string } | undefined)?.phase ?? '' },
    { name: 'Volume', cell: (o) => (o.spec as { volumeName?: string }).volumeName ?? '' },
    { name: 'Capacity', cell: (o) => (o.status as { capacity?: { storage?: string } } | undefined)?.capacity?.storage ?? '' },
    { name: 'Access Modes', cell: (o) => ((o.spec as { accessModes?: string[] }).accessModes ?? []).map((m) => ({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' })[m] ?? m).join(',') },
    { name: 'StorageClass', cell: (o) => (o.spec as { storageClassName?: string }).storageClassName ?? '' },
    age,
  ],
  ConfigMap: [{ name: 'Data', cell: (o) => Object.keys((o as { data?: object }).data ?? {}).length + Object.keys((o as { binaryData?: object }).binaryData ?? {}).length, type: 'integer' }, age],
  Secret: [
    { name: 'Type', cell: (o) => (o as { type?: string }).type ?? 'Opaque' },
    { name: 'Data', cell: (o) => Object.keys((o as { data?: object }).data ?? {}).length + Object.keys((o as { stringData?: object }).stringData ?? {}).length, type: 'integer' },
    age,
  ],
  DataVolume: [
    { name: 'Phase', cell: (o) => (o.status as { phase?: string } | undefined)?.phase ?? '' },
    { name: 'Progress', cell: (o) => (o.status as { progress?: string } | undefined)?.progress ?? 'N/A' },
    { name: 'Restarts', cell: (o) => (o.status as { restartCount?: number } | undefined)?.restartCount ?? 0, type: 'integer' },
    age,
  ],
  StorageClass: [
    { name: 'Provisioner', cell: (o) => (o as { provisioner?: string }).provisioner ?? '' },
    { name: 'ReclaimPolicy', cell: (o) => (o as { reclaimPolicy?: string }).reclaimPolicy ?? 'Delete' },
    { name: 'VolumeBindingMode', cell: (o) => (o as { volumeBindingMode?: string }).volumeBindingMode ?? 'Immediate' },
    { name: 'AllowVolumeExpansion', cell: (o) => String((o as { allowVolumeExpansion?: boolean }).allowVolumeExpansion ?? false) },
    age,
  ],
  Event: [
    { name: 'Last Seen', cell: (o, a) => a(o) },
    { name: 'Type', cell: (o) => (o as { type?: string }).type ?? '' },
    { name: 'Reason', cell: (o) => (o as { reason?: string }).reason ?? '' },
    { name: 'Object', cell: (o) => { const r = (o as { involvedObject?: { kind?: string; name?: string } }).involvedObject; return `${(r?.kind ?? '').toLowerCase()}/${r?.name ?? ''}`; } },
    { name: 'Message', cell: (o) => (o as { message?: string }).message ?? '' },
  ],
};

const KUBEVIRT_RESOURCE: Readonly<Record<string, Resource>> = Object.fromEntries(Object.entries(RESOURCE_KIND).map(([r, k]) => [k, r as Resource]));

/** Column names of harness/observe/tables.ts headers, as the CRDs spell them. */
const CRD_NAME: Readonly<Record<string, string>> = { AGE: 'Age', STATUS: 'Status', READY: 'Ready', PHASE: 'Phase', IP: 'IP', NODENAME: 'NodeName', 'LIVE-MIGRATABLE': 'Live-Migratable', PAUSED: 'Paused', VMI: 'VMI', DESIRED: 'Desired', CURRENT: 'Current' };

const nameColumn: ColumnDefinition = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 };
const definition = (name: string, priority: number, type = 'string'): ColumnDefinition => ({ name, type, format: '', description: name, priority });

/** The metadata a row carries (PartialObjectMetadata, kubectl's default includeObject). */
function partial(o: ApiObject): unknown {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

/** A Table of `snaps`; `now` (ms) is the cluster's clock for the Age column. */
export function toTable(r: ResourceDef, snaps: readonly Snapshot[], now: number, resourceVersion: string | undefined, includeObject: string | null): Table {
  const ageOf = (o: ApiObject) => {
    const t = Date.parse(o.metadata.creationTimestamp ?? '');
    return Number.isNaN(t) ? '<unknown>' : humanDuration((now - t) / 1000);
  };
  const objectOf = (s: Snapshot) => (includeObject === 'None' ? null : includeObject === 'Object' ? s.obj : partial(s.obj));
  const resource = KUBEVIRT_RESOURCE[r.kind];
  const meta = resourceVersion !== undefined ? { resourceVersion } : {};
  if (resource) {
    const byName = new Map(snaps.map((s) => [s.obj.metadata.name, s]));
    const objs = snaps.map((s) => s.obj);
    const seconds = new Map(objs.map((o) => [resource === 'vmis' ? o.metadata.uid : o.metadata.name, (now - Date.parse(o.metadata.creationTimestamp ?? '')) / 1000]));
    const list = () => objs;
    const [head, ...rows] = tableRows(list, resource, { wide: true, age: (_r, key) => ((s) => (s === undefined || Number.isNaN(s) ? null : s))(seconds.get(key)) });
    const narrow = new Set(tableRows(list, resource, {})[0]);
    return {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: meta,
      columnDefinitions: head!.map((h, i) => (i === 0 ? nameColumn : definition(CRD_NAME[h] ?? h, narrow.has(h) ? 0 : 1, h === 'AGE' ? 'date' : 'string'))),
      rows: rows.map((cells) => ({ cells, object: objectOf(byName.get(cells[0]!)!) })),
    };
  }
  const cols = CORE_COLUMNS[r.kind] ?? [age];
  if (r.kind === 'Event') {
    // the apiserver's event printer: no leading Name, Name last at priority 1 (pkg/printers/internalversion eventColumnDefinitions)
    const all = [...cols, { name: 'Name', cell: (o: ApiObject) => o.metadata.name, priority: 1 }];
    return {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: meta,
      columnDefinitions: all.map((c) => definition(c.name, c.priority ?? 0, c.type ?? 'string')),
      rows: snaps.map((s) => ({ cells: all.map((c) => c.cell(s.obj, ageOf)), object: objectOf(s) })),
    };
  }
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: meta,
    columnDefinitions: [nameColumn, ...cols.map((c) => definition(c.name, c.priority ?? 0, c.type ?? 'string'))],
    rows: snaps.map((s) => ({ cells: [s.obj.metadata.name, ...cols.map((c) => c.cell(s.obj, ageOf))], object: objectOf(s) })),
  };
}

