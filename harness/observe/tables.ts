/**
 * `kubectl get` tables of the KubeVirt kinds from API objects with status
 * (R-CLI, docs/kubevirt-reference.md §9; one read path with the observation): the columns KubeVirt's CRDs declare, as a table per
 * resource, laid out like kubectl (upper-case headers, cells padded to the
 * column width plus 3 spaces, the last column unpadded). Public.
 *
 * AGE comes from a caller-supplied clock (the core has none): `age` gives an
 * object's age in seconds, or null, printed `<unknown>` as kubectl does for
 * an object without creationTimestamp. IP is the address of the VMI's first
 * interface once it runs (the harness has no pod IPs: for masquerade this is
 * the guest's 10.0.2.2), empty before, as is status.interfaces.
 */
import { condition, NAMESPACE, type ApiObject, type VmiStatus, type VmStatus, type WorkloadStatus } from '../cluster/index.ts';
import type { ObjectList } from './observation.ts';

/** The resources `get` knows, by their canonical short name. Public. */
export const RESOURCES = ['vms', 'vmis', 'vmim', 'vmirs', 'vmpool'] as const;
export type Resource = (typeof RESOURCES)[number];

/** The kind behind each resource. Public. */
export const RESOURCE_KIND: Readonly<Record<Resource, string>> = {
  vms: 'VirtualMachine',
  vmis: 'VirtualMachineInstance',
  vmim: 'VirtualMachineInstanceMigration',
  vmirs: 'VirtualMachineInstanceReplicaSet',
  vmpool: 'VirtualMachinePool',
};

/** Every accepted spelling (kubectl's names, short names and plurals) → resource. Public. */
export const RESOURCE_NAMES: Readonly<Record<string, Resource>> = {
  vm: 'vms',
  vms: 'vms',
  virtualmachine: 'vms',
  virtualmachines: 'vms',
  vmi: 'vmis',
  vmis: 'vmis',
  virtualmachineinstance: 'vmis',
  virtualmachineinstances: 'vmis',
  vmim: 'vmim',
  vmims: 'vmim',
  virtualmachineinstancemigration: 'vmim',
  virtualmachineinstancemigrations: 'vmim',
  vmirs: 'vmirs',
  vmirss: 'vmirs',
  virtualmachineinstancereplicaset: 'vmirs',
  virtualmachineinstancereplicasets: 'vmirs',
  vmpool: 'vmpool',
  vmpools: 'vmpool',
  virtualmachinepool: 'vmpool',
  virtualmachinepools: 'vmpool',
};

/** Age of an object in seconds (null: unknown). `key` is the name, a VMI's uid for VMIs. Public. */
export type AgeOf = (resource: Resource, key: string) => number | null;

export interface PrintOptions {
  /** `-A`: prepend NAMESPACE (always `default` in the harness). */
  allNamespaces?: boolean;
  /** `-o wide`: the wide-only columns too. */
  wide?: boolean;
  age?: AgeOf;
}

/** One column: header and cell of a row; `wide` columns show with `-o wide` only. */
interface Column {
  header: string;
  cell: (row: ApiObject, age: (key: string) => string) => string;
  wide?: boolean;
}

/** `True` / `False` / empty (no condition), as kubectl prints a condition status. */
const conditionCell = (o: ApiObject, type: string): string => condition((o.status as { conditions?: VmiStatus['conditions'] }).conditions, type)?.status ?? '';

const ageColumn = (key: (o: ApiObject) => string): Column => ({ header: 'AGE', cell: (o, age) => age(key(o)) });
const byName = (o: ApiObject): string => o.metadata.name;

const workloadColumns: Column[] = [
  { header: 'DESIRED', cell: (o) => String((o.spec as { replicas?: number }).replicas ?? 1) },
  { header: 'CURRENT', cell: (o) => String((o.status as WorkloadStatus).replicas) },
  { header: 'READY', cell: (o) => String((o.status as WorkloadStatus).readyReplicas) },
  ageColumn(byName),
];

/** The column table ([KV] crds.go additionalPrinterColumns). */
const TABLES: Readonly<Record<Resource, Column[]>> = {
  vms: [
    ageColumn(byName),
    { header: 'STATUS', cell: (o) => (o.status as VmStatus).printableStatus },
    { header: 'READY', cell: (o) => conditionCell(o, 'Ready') || 'False' },
  ],
  vmis: [
    ageColumn((o) => o.metadata.uid),
    { header: 'PHASE', cell: (o) => (o.status as VmiStatus).phase },
    { header: 'IP', cell: (o) => ((o.status as VmiStatus).phase === 'Running' ? ((o.status as VmiStatus).interfaces[0]?.ipAddress ?? '') : '') },
    { header: 'NODENAME', cell: (o) => (o.status as VmiStatus).nodeName ?? '' },
    { header: 'READY', cell: (o) => conditionCell(o, 'Ready') },
    { header: 'LIVE-MIGRATABLE', cell: (o) => conditionCell(o, 'LiveMigratable'), wide: true },
    { header: 'PAUSED', cell: (o) => conditionCell(o, 'Paused'), wide: true },
  ],
  vmim: [
    { header: 'PHASE', cell: (o) => (o.status as { phase: string }).phase },
    { header: 'VMI', cell: (o) => (o.spec as { vmiName: string }).vmiName },
  ],
  vmirs: workloadColumns,
  vmpool: workloadColumns,
};

/**
 * kubectl's duration.HumanDuration: `45s`, `3m2s`, `12m`, `5h3m`, `20h`,
 * `3d4h`, `40d`, `2y3d`; under 2 minutes in seconds. Public.
 */
export function humanDuration(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / 24 / 365);
  const d = Math.floor(h / 24) % 365;
  if (h < 24 * 365 * 8) return d === 0 ? `${y}y` : `${y}y${d}d`;
  return `${y}y`;
}

/** Lays out cells like kubectl's tabwriter: each column as wide as its widest cell, 3 spaces apart. Public. */
export function layout(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('')).join('\n');
}

/** The cells of `resource`'s table: header row first; no data rows when there is nothing to list. Public. */
export function tableRows(list: ObjectList, resource: Resource, opts: PrintOptions = {}): string[][] {
  const cols = TABLES[resource].filter((c) => !c.wide || opts.wide);
  const head = [...(opts.allNamespaces ? ['NAMESPACE'] : []), 'NAME', ...cols.map((c) => c.header)];
  const out = [head];
  const age = (key: string) => {
    const a = opts.age?.(resource, key) ?? null;
    return a === null ? '<unknown>' : humanDuration(a);
  };
  for (const row of list(RESOURCE_KIND[resource])) {
    out.push([...(opts.allNamespaces ? [row.metadata.namespace ?? NAMESPACE] : []), row.metadata.name, ...cols.map((c) => c.cell(row, age))]);
  }
  return out;
}

/**
 * The `kubectl get <resource>` output, or null when there is no object
 * (kubectl then says `No resources found in default namespace.`). Public.
 */
export function printTable(list: ObjectList, resource: Resource, opts: PrintOptions = {}): string | null {
  const rows = tableRows(list, resource, opts);
  return rows.length === 1 ? null : layout(rows);
}
