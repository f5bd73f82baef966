/**
 * `kubectl get` tables of the KubeVirt kinds from the cluster core's state
 * (R-CLI, REFERENCE §9): the columns KubeVirt's CRDs declare, as a table per
 * resource, laid out like kubectl (upper-case headers, cells padded to the
 * column width plus 3 spaces, the last column unpadded). Public.
 *
 * AGE comes from a caller-supplied clock (the core has none): `age` gives an
 * object's age in seconds, or null, printed `<unknown>` as kubectl does for
 * an object without creationTimestamp. IP is the address of the VMI's first
 * interface once it runs (the harness has no pod IPs: for masquerade this is
 * the guest's 10.0.2.2), empty before, as is status.interfaces.
 */
import type { ClusterCore, MigrationState, PoolState, ReplicaSetState, VmiState, VmState } from './ClusterCore.ts';

/** The resources `get` knows, by their canonical short name. Public. */
export const RESOURCES = ['vms', 'vmis', 'vmim', 'vmirs', 'vmpool'] as const;
export type Resource = (typeof RESOURCES)[number];

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
interface Column<R> {
  header: string;
  cell: (row: R, age: (key: string) => string) => string;
  wide?: boolean;
}

interface Table<R> {
  rows: (core: ClusterCore) => R[];
  name: (row: R) => string;
  columns: Column<R>[];
}

const NAMESPACE = 'default';

/** `True` / `False` / empty (no condition), as kubectl prints a condition status. */
const condition = (c: { status: string } | undefined): string => c?.status ?? '';

const ageColumn = <R>(key: (r: R) => string): Column<R> => ({ header: 'AGE', cell: (r, age) => age(key(r)) });

const workloadColumns = <R extends ReplicaSetState | PoolState>(core: ClusterCore): Column<R>[] => [
  { header: 'DESIRED', cell: (w) => String(core.workloadStatus(w).desired) },
  { header: 'CURRENT', cell: (w) => String(core.workloadStatus(w).current) },
  { header: 'READY', cell: (w) => String(core.workloadStatus(w).ready) },
  ageColumn((w) => w.name),
];

const byName = <T extends { name: string }>(xs: Iterable<T>): T[] => [...xs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** The column table ([KV] crds.go additionalPrinterColumns). */
function tables(core: ClusterCore): { [K in Resource]: Table<never> } {
  const vms: Table<VmState> = {
    rows: (c) => byName(c.vms.values()),
    name: (v) => v.name,
    columns: [
      ageColumn((v) => v.name),
      { header: 'STATUS', cell: (v) => core.printableStatus(v) },
      { header: 'READY', cell: (v) => (v.vmi ? condition(core.vmiConditions(v.vmi).Ready) : 'False') },
    ],
  };
  const vmis: Table<VmiState> = {
    rows: (c) => byName(c.vmis.values()),
    name: (v) => v.name,
    columns: [
      ageColumn((v) => v.uid),
      { header: 'PHASE', cell: (v) => v.phase },
      { header: 'IP', cell: (v) => (v.phase === 'Running' ? (v.nics[0]?.ipv4Cidr?.split('/')[0] ?? '') : '') },
      { header: 'NODENAME', cell: (v) => v.node ?? '' },
      { header: 'READY', cell: (v) => condition(core.vmiConditions(v).Ready) },
      { header: 'LIVE-MIGRATABLE', cell: (v) => condition(core.vmiConditions(v).LiveMigratable), wide: true },
      { header: 'PAUSED', cell: (v) => condition(core.vmiConditions(v).Paused), wide: true },
    ],
  };
  const vmim: Table<MigrationState> = {
    rows: (c) => byName(c.migrations.values()),
    name: (m) => m.name,
    columns: [
      { header: 'PHASE', cell: (m) => m.phase },
      { header: 'VMI', cell: (m) => m.vmiName },
    ],
  };
  const vmirs: Table<ReplicaSetState> = { rows: (c) => byName(c.replicaSets.values()), name: (r) => r.name, columns: workloadColumns(core) };
  const vmpool: Table<PoolState> = { rows: (c) => byName(c.vmPools.values()), name: (p) => p.name, columns: workloadColumns(core) };
  return { vms, vmis, vmim, vmirs, vmpool } as unknown as { [K in Resource]: Table<never> };
}

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
export function tableRows(core: ClusterCore, resource: Resource, opts: PrintOptions = {}): string[][] {
  const t = tables(core)[resource] as unknown as Table<unknown>;
  const cols = t.columns.filter((c) => !c.wide || opts.wide);
  const head = [...(opts.allNamespaces ? ['NAMESPACE'] : []), 'NAME', ...cols.map((c) => c.header)];
  const out = [head];
  for (const row of t.rows(core)) {
    const age = (key: string) => {
      const a = opts.age?.(resource, key) ?? null;
      return a === null ? '<unknown>' : humanDuration(a);
    };
    out.push([...(opts.allNamespaces ? [NAMESPACE] : []), t.name(row), ...cols.map((c) => c.cell(row, age))]);
  }
  return out;
}

/**
 * The `kubectl get <resource>` output, or null when there is no object
 * (kubectl then says `No resources found in default namespace.`). Public.
 */
export function printTable(core: ClusterCore, resource: Resource, opts: PrintOptions = {}): string | null {
  const rows = tableRows(core, resource, opts);
  return rows.length === 1 ? null : layout(rows);
}
