/**
 * The migration controller (R-M1..R-M5; KubeVirt
 * pkg/virt-controller/watch/migration/migration.go): starts pending
 * migrations within the cluster and per-node limits, picks the target and
 * reserves its resources, finishes a migration when virt-handler reports the
 * outcome in the VMI's status.migrationState (or fails it when its VMI
 * ended), moves the VMI on success, and keeps the 5 newest finished
 * migrations of a VMI (KubeVirt's garbage-collection buffer,
 * docs/kubevirt-reference.md §4.1). Internal to the cluster core.
 *
 * Harness choice kept from the first core: pending migrations are looked at
 * when a migration is created or changes, not when their VMI starts running.
 */
import { parseQuantity, type MigrationPolicy } from '../../api/index.ts';
import type { Effect, LaunchNic, LaunchSpec } from '../agent.ts';
import { pickNode } from '../scheduler.ts';
import { FINAL, type ApiObject, type MigrationState } from '../store/objects.ts';
import type { Nic, NodeRecord } from '../store/records.ts';
import { NAMESPACE, type Store } from '../store/Store.ts';
import { clusterDefaults } from '../common/cluster.ts';
import { matchPolicy, MIGRATION_TARGET_LABEL, namespaceLabels, NODE_NAME_LABEL } from '../common/migrationPolicies.ts';
import { migrationBook, type VmimEntry } from '../common/migrations.ts';
import { countActive, launchNics, nodesByLoad, place, request, unplace, type VmiEntry } from '../common/placement.ts';
import { isDeleting, writeInterfaces } from '../common/vmis.ts';
import { byName, type Controller, type Ctx, type Watch } from './Controller.ts';

const VMIM = 'VirtualMachineInstanceMigration';

/** A VMI whose active migration has an outcome to book: it ended, or virt-handler reported the migration done. */
const onVmi: Watch = (_c, e, removed, enqueue) => {
  const v = e as VmiEntry;
  const m = v.rec.activeMigration;
  if (m === null) return;
  if (removed || FINAL(v.obj.status.phase) || v.obj.status.migrationState?.completed) enqueue(m);
};

export const migrationController: Controller = {
  name: 'migration',
  watches: { VirtualMachineInstanceMigration: byName, VirtualMachineInstance: onVmi },
  reconcile(c, name) {
    const e = c.store.get(VMIM, name) as VmimEntry | undefined;
    if (e && reconcileOne(c, e)) pump(c);
  },
};

/** The migration's VMI, while it is the same object. */
function vmiOf(s: Store, m: VmimEntry): VmiEntry | null {
  const v = s.get('VirtualMachineInstance', m.rec.vmiName) as VmiEntry | undefined;
  return v && v.obj.metadata.uid === m.rec.vmiUid ? v : null;
}

/** One migration; true when the pending ones get their chance (one was created, or one finished). */
function reconcileOne(c: Ctx, m: VmimEntry): boolean {
  const s = c.store;
  const phase = m.obj.status.phase;
  if (isDeleting(m)) {
    if (phase === 'Running') {
      // the finalizer holds it until the source reports the outcome (below)
      m.rec.removeWhenFinal = true;
      requestAbort(c, m);
    } else {
      if (phase === 'Pending') finish(c, m, 'Failed');
      s.remove(m);
      return phase === 'Pending';
    }
  }
  if (phase !== 'Pending' && phase !== 'Running') return false;
  const v = vmiOf(s, m);
  if (!v || FINAL(v.obj.status.phase)) {
    finish(c, m, 'Failed');
    return true;
  }
  const state = v.obj.status.migrationState;
  if (phase === 'Running' && state?.migrationUid === m.obj.metadata.uid && state.completed) {
    finish(c, m, state.failed ? 'Failed' : 'Succeeded');
    return true;
  }
  if (phase === 'Pending' && m.rec.notBefore !== undefined && m.rec.notBefore <= c.now()) return true; // its backoff is over
  if (m.rec.seen) return false;
  m.rec.seen = true; // a new one
  return true;
}

/**
 * A running migration was deleted (R-M4): KubeVirt's sync for a Running
 * migration with a deletion timestamp marks `migrationState.abortRequested`
 * (migration.go `markMigrationAbortInVmiStatus`), and virt-handler cancels
 * it on the source (migration-source.go `handleMigrationAbort`). Once the
 * source reports it failed, the finalizer goes and the object with it.
 */
function requestAbort(c: Ctx, m: VmimEntry): void {
  const v = vmiOf(c.store, m);
  const state = v?.obj.status.migrationState;
  if (!v || !state || state.migrationUid !== m.obj.metadata.uid || state.completed || state.abortRequested) return;
  v.obj.status.migrationState = { ...state, abortRequested: true };
  c.store.touch(v);
  c.emit({ type: 'abortMigration', uid: v.obj.metadata.uid, migration: m.obj.metadata.name });
}

/**
 * The store's resourceVersion and the clock when `pump` last finished. What
 * pump decides depends on the store (the migration book is written with a
 * touch of the migration or VMI concerned, the VMIs' phase and node with a
 * touch of the VMI) and on the clock (backoffs) only; a removal that bumps no
 * resourceVersion only ever blocks a start (a missing VMI). So with neither
 * changed, a second pump would find every pending migration as blocked as
 * the first left it and start nothing: it is skipped. This is the common
 * case when a drain creates many migrations at once: each new one's
 * reconcile pumps, and only the first can start any.
 */
const lastPump = new WeakMap<Store, { rv: number; now: number }>();

/**
 * Per store, a pending migration's source node, noted once its VMI was seen
 * Running (a cache, not state: a restored store starts without it). A
 * Running VMI keeps its node while it has a pending migration (only its
 * active migration, which is that pending one, could move it); a VMI that
 * ends or is replaced by another of its name is not startable either way.
 * So a pending migration whose noted node is at its outbound limit is
 * skipped without looking up the migration and its VMI: in a drain the
 * pending list is long and almost all of it waits for one node's limit,
 * and those look-ups were the pump's whole cost. An entry goes when its
 * name leaves the pending list.
 */
const pendingNodes = new WeakMap<Store, Map<string, string>>();

/** Starts pending migrations within the cluster and per-node limits (R-M5). */
function pump(c: Ctx): void {
  const s = c.store;
  const book = migrationBook(s);
  if (book.pending.length === 0) return;
  const last = lastPump.get(s);
  if (last !== undefined && last.rv === s.counters.resourceVersion && last.now === c.now()) return;
  const cluster = s.books.cluster as { parallelMigrationsPerCluster: number; parallelOutboundMigrationsPerNode: number };
  const perNode = cluster.parallelOutboundMigrationsPerNode;
  let nodes = pendingNodes.get(s);
  if (nodes === undefined) pendingNodes.set(s, (nodes = new Map()));
  for (let i = 0; i < book.pending.length && book.running < cluster.parallelMigrationsPerCluster; ) {
    const name = book.pending[i]!;
    const noted = nodes.get(name);
    if (noted !== undefined && (book.outbound[noted] ?? 0) >= perNode) {
      i++;
      continue; // its node's limit (the full check below would say so too)
    }
    const m = s.get(VMIM, name) as VmimEntry;
    const v = vmiOf(s, m);
    const node = v?.obj.status.nodeName;
    const running = v !== null && v.obj.status.phase === 'Running' && node !== undefined;
    if (running && noted === undefined) nodes.set(name, node);
    const backoff = m.rec.notBefore !== undefined && m.rec.notBefore > c.now();
    if (backoff || !running || (book.outbound[node] ?? 0) >= perNode) {
      i++;
      continue; // waits for its backoff, until its VMI runs, or for its node's limit
    }
    book.pending.splice(i, 1);
    nodes.delete(name);
    start(c, m, v);
  }
  if (last === undefined) lastPump.set(s, { rv: s.counters.resourceVersion, now: c.now() });
  else {
    last.rv = s.counters.resourceVersion;
    last.now = c.now();
  }
}

/** A NIC as it starts on the migration target: same MAC and IP, its VF still to take. */
function targetNic(n: Nic): Nic {
  return { name: n.name, kind: n.kind, podBinding: n.podBinding, network: n.network, mac: n.mac, macSource: n.macSource, ipv4Cidr: n.ipv4Cidr, vf: null, model: n.model };
}

/** An SR-IOV NIC the target node had no VF for. */
const vfMissing = (n: Nic): boolean => n.kind === 'sriov' && n.vf === null;

/** Picks a target node and hands the migration to the agent; Failed when no node fits (R-M3). */
function start(c: Ctx, m: VmimEntry, v: VmiEntry): void {
  const s = c.store;
  const source = v.obj.status.nodeName!;
  const req = request(s, v, null);
  const target = req ? pickNode(nodesByLoad(s), req.pinned === null ? req : { ...req, pinned: null }, source) : null;
  m.rec.source = source;
  if (!target) {
    // R-M3: the target pod stays unschedulable until its timeout; at quiescence it is Failed.
    end(c, m, v, 'Failed');
    return;
  }
  const nics = v.rec.nics.map(targetNic);
  place(s, v, target, nics, false);
  if (nics.some(vfMissing)) {
    unplace(s, v, target.name, nics, false, false);
    end(c, m, v, 'Failed');
    return;
  }
  m.obj.status.phase = 'Running';
  m.rec.target = target.name;
  m.rec.targetNics = nics;
  const book = migrationBook(s);
  book.running++;
  book.outbound[source] = (book.outbound[source] ?? 0) + 1;
  const config = migrationConfig(s, v, source, target.name);
  v.obj.status.migrationState = { migrationUid: m.obj.metadata.uid, completed: false, failed: false, sourceNode: source, targetNode: target.name, ...config.status };
  s.touch(v);
  // its reconcile now would find it Running and not completed: nothing to do (a deletion or a first look is queued by its own write)
  s.touchOwn(m, 'migration');
  const effect: Effect = { type: 'migrate', uid: v.obj.metadata.uid, migration: m.obj.metadata.name, targetNode: target.name, nics: launchNics(nics) };
  if (config.bandwidth !== null) effect.bandwidthBytesPerSecond = config.bandwidth;
  c.emit(effect);
}

/**
 * The configuration a migration runs with (R-M9; migration.go
 * `matchMigrationPolicy` at hand-off, `resolveMigrationConfig`): the cluster
 * config's, overridden by the best-matching MigrationPolicy's fields. The VMI
 * carries, besides its own labels, the node labels KubeVirt has set by then
 * (`kubevirt.io/nodeName`, `kubevirt.io/migrationTargetNodeName`); the
 * namespace carries `kubernetes.io/metadata.name` (docs/harness-choices.md §3).
 */
function migrationConfig(s: Store, v: VmiEntry, source: string, target: string): { bandwidth: number | null; status: Pick<MigrationState, 'migrationPolicyName' | 'migrationConfiguration'> } {
  // without MigrationPolicies none can match: the labels and candidates are not built (every migration of the benches)
  const policy = s.count('MigrationPolicy') === 0 ? null : matchingPolicy(s, v, source, target);
  const given = policy?.spec.bandwidthPerMigration;
  const bytes = given !== undefined ? Math.floor(parseQuantity(String(given)) ?? 0) : clusterDefaults(s).bandwidthPerMigration ?? 0;
  const status: Pick<MigrationState, 'migrationPolicyName' | 'migrationConfiguration'> = { migrationConfiguration: { bandwidthPerMigration: given !== undefined ? String(given) : String(bytes) } };
  if (policy) status.migrationPolicyName = policy.name;
  return { bandwidth: bytes > 0 ? bytes : null, status };
}

/** The MigrationPolicy that applies to a VMI migrating from `source` to `target`, if any. */
function matchingPolicy(s: Store, v: VmiEntry, source: string, target: string): { name: string; spec: MigrationPolicy['spec'] } | null {
  const vmiLabels = { ...v.obj.metadata.labels, [NODE_NAME_LABEL]: source, [MIGRATION_TARGET_LABEL]: target };
  const candidates = [...s.all<ApiObject & MigrationPolicy>('MigrationPolicy').values()].map((e) => ({ name: e.obj.metadata.name, selectors: e.obj.spec.selectors, spec: e.obj.spec }));
  return matchPolicy(candidates, vmiLabels, namespaceLabels(NAMESPACE));
}

/** Ends a pending or running migration; a success moves the VMI when the rules say so (R-M4). */
function finish(c: Ctx, m: VmimEntry, phase: 'Succeeded' | 'Failed'): void {
  const s = c.store;
  const v = vmiOf(s, m);
  const book = migrationBook(s);
  if (m.obj.status.phase === 'Pending') {
    const i = book.pending.indexOf(m.obj.metadata.name);
    if (i >= 0) book.pending.splice(i, 1);
    pendingNodes.get(s)?.delete(m.obj.metadata.name);
    end(c, m, v, 'Failed');
    return;
  }
  const r = m.rec;
  book.running--;
  book.outbound[r.source!] = (book.outbound[r.source!] ?? 1) - 1;
  if (v) {
    if (phase === 'Succeeded' && c.rules.behaviour.migrationMovesNode) {
      const target = s.get<ApiObject, NodeRecord>('Node', r.target!)!.rec;
      unplace(s, v, r.source!, v.rec.nics, true, false);
      v.obj.status.nodeName = target.name;
      countActive(s, target, 1);
      target.vmis.push(v.obj.metadata.name);
      v.rec.nics = r.targetNics!;
      writeInterfaces(v);
      if (v.rec.launch) v.rec.launch = movedLaunch(v.rec.launch, target.name, launchNics(v.rec.nics));
    } else unplace(s, v, r.target!, r.targetNics!, false, false);
    // Keeps what virt-handler wrote (abortRequested, abortStatus).
    v.obj.status.migrationState = { ...v.obj.status.migrationState!, migrationUid: m.obj.metadata.uid, completed: true, failed: phase === 'Failed', sourceNode: r.source!, targetNode: r.target! };
  }
  end(c, m, v, phase);
}

/**
 * The launch spec on the target node: a new object (the old one is shared
 * with the agent), written out rather than spread, since the spread copy
 * showed in the profile. Same keys in the same order as the VMI controller's.
 */
function movedLaunch(l: LaunchSpec, node: string, nics: LaunchNic[]): LaunchSpec {
  return {
    uid: l.uid,
    name: l.name,
    node,
    vcpus: l.vcpus,
    cpu: l.cpu,
    memoryMiB: l.memoryMiB,
    hostname: l.hostname,
    boot: l.boot,
    disks: l.disks,
    nics,
    startPaused: l.startPaused,
    terminationGracePeriodSeconds: l.terminationGracePeriodSeconds,
    acpi: l.acpi,
  };
}

/** Books a finished migration: its VMI is free to migrate again, and the garbage-collection buffer keeps 5 per VMI. */
function end(c: Ctx, m: VmimEntry, v: VmiEntry | null, phase: 'Succeeded' | 'Failed'): void {
  const s = c.store;
  m.obj.status.phase = phase;
  m.rec.targetNics = null;
  if (v && v.rec.activeMigration === m.obj.metadata.name) {
    v.rec.activeMigration = null;
    s.touch(v);
  }
  const book = migrationBook(s);
  if (m.rec.evacuation !== undefined) {
    // migration.go handleMigrationBackoff counts the consecutive failed evacuation migrations of a VMI
    // a success only clears a count; with no failure booked yet (every migration of a drain that goes well) there is none to clear
    const failures = book.evacuationFailures;
    if (phase === 'Succeeded') {
      if (failures !== undefined) delete failures[m.rec.vmiUid];
    } else {
      const f = (book.evacuationFailures ??= {});
      f[m.rec.vmiUid] = { count: (f[m.rec.vmiUid]?.count ?? 0) + 1, lastFailedAt: c.now() };
    }
  }
  if (m.rec.removeWhenFinal) {
    s.remove(m);
    return;
  }
  const done = (book.finished[m.rec.vmiName] ??= []);
  done.push({ name: m.obj.metadata.name, uid: m.obj.metadata.uid });
  if (done.length > 5) {
    const old = done.shift()!;
    const e = s.get(VMIM, old.name);
    if (e && e.obj.metadata.uid === old.uid) s.remove(e);
  }
  // its reconcile now would find it final and not deleting (a deleting one is removed above or queued by its deletion): nothing to do
  s.touchOwn(m, 'migration');
}
