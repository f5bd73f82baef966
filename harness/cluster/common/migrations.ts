/**
 * Creating a migration (R-V4, R-M1, R-M5): admission against the VMI, the
 * generated names, the object, and the migration controller's queue of
 * pending ones. Shared by the commands (virtctl migrate, an applied
 * VirtualMachineInstanceMigration) and the evacuation controller. Internal to
 * the cluster core.
 */
import { OK, type Result } from '../../contract/index.ts';
import { ERR } from '../messages.ts';
import { FINAL, type ApiObject, type VmimStatus } from '../store/objects.ts';
import type { VmimRecord } from '../store/records.ts';
import type { Entry, Store } from '../store/Store.ts';
import type { VmiEntry } from './placement.ts';
import { nameSuffix, seededHash } from './seeded.ts';

export type VmimEntry = Entry<ApiObject & { spec: { vmiName: string }; status: VmimStatus }, VmimRecord>;

/** The migration controller's JSON state (Store.books.migration). */
export interface MigrationBook {
  /** Pending migrations in creation order. */
  pending: string[];
  running: number;
  /** Running migrations per source node. */
  outbound: Record<string, number>;
  /** Per VMI name: its finished migrations, oldest first (at most 5 kept). */
  finished: Record<string, { name: string; uid: string }[]>;
  /** Per VMI name: how many migrations were given a generated name. */
  names: Record<string, number>;
  /** Per VMI uid: consecutive failed evacuation migrations and when the last one failed (absent in older saves). */
  evacuationFailures?: Record<string, { count: number; lastFailedAt: number }>;
}

export function migrationBook(s: Store): MigrationBook {
  return s.books.migration as MigrationBook;
}

/** What the evacuation controller adds to the migrations it makes. */
export interface EvacuationMark {
  node: string;
  notBefore: number | null;
}

/**
 * The generateName of the migrations KubeVirt makes: `virtctl migrate`'s
 * (pkg/virt-api/rest/subresource.go MigrateVMRequestHandler) and a drain's
 * (pkg/virt-controller/watch/drain/evacuation/evacuation.go
 * GenerateNewMigration, which also annotates the node it evacuates).
 */
export const MIGRATE_PREFIX = 'kubevirt-migrate-vm-';
export const EVACUATION_PREFIX = 'kubevirt-evacuation-';
export const EVACUATION_ANNOTATION = 'kubevirt.io/evacuationMigration';

/**
 * A free name from a generateName prefix. The suffix is a hash of the VMI's
 * name and its count of generated migration names, not of the store's seed
 * (docs/harness-choices.md §3): every backend of a run names a migration
 * alike, as the engine sends the reference's name to all of them.
 */
function generatedName(s: Store, book: MigrationBook, prefix: string, vmiName: string): string {
  const n = (book.names[vmiName] ?? 0) + 1;
  book.names[vmiName] = n;
  for (let attempt = 0; ; attempt++) {
    const name = prefix + nameSuffix(seededHash(0, `${vmiName}/${n}/${attempt}`));
    if (!s.get('VirtualMachineInstanceMigration', name)) return name;
  }
}

/** Creates a migration (named, or with a generated name) after KubeVirt's admission checks (R-V4); it starts when the limits allow (R-M5). */
export function createMigration(s: Store, vmiName: string, name: string | null, evacuation?: EvacuationMark): Result {
  const vmi = s.get('VirtualMachineInstance', vmiName) as VmiEntry | undefined;
  if (!vmi) return ERR.migrationNoVmi(vmiName);
  if (FINAL(vmi.obj.status.phase)) return ERR.migrationFinal();
  const r = vmi.rec;
  if (r.activeMigration !== null) return ERR.migrationInFlight(s.obj('VirtualMachineInstanceMigration', r.activeMigration)!.metadata.uid, vmiName);
  if (r.migratable.status === 'False') return ERR.notMigratable(r.migratable.reason!, r.migratable.message ?? '');
  const book = migrationBook(s);
  const mname = name ?? generatedName(s, book, evacuation ? EVACUATION_PREFIX : MIGRATE_PREFIX, vmiName);
  const metadata = (evacuation ? { name: mname, annotations: { [EVACUATION_ANNOTATION]: evacuation.node } } : { name: mname }) as VmimEntry['obj']['metadata'];
  const obj = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstanceMigration',
    metadata,
    spec: { vmiName },
    status: { phase: 'Pending' as const },
  };
  book.pending.push(mname);
  const rec: VmimRecord = { vmiName, vmiUid: vmi.obj.metadata.uid, source: null, target: null, targetNics: null, removeWhenFinal: false, seen: false };
  if (evacuation) {
    rec.evacuation = evacuation.node;
    if (evacuation.notBefore !== null) rec.notBefore = evacuation.notBefore;
  }
  s.create(obj, rec);
  r.activeMigration = mname;
  // Only the VMI's record changed, not the API object (KubeVirt's VMI is first written when the migration starts,
  // status.migrationState: pkg/virt-controller/watch/migration/migration.go): the watchers of VMIs are not told.
  // What reads activeMigration reads it when it looks.
  s.touchStatus(vmi);
  return OK;
}
