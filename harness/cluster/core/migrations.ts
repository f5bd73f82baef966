/**
 * The migration controller (R-M1..R-M5): create, queue under the cluster and
 * per-node limits, start, finish, and the garbage-collection buffer of
 * finished migrations. Internal to the cluster core.
 */
import { OK, type Result } from '../../contract/index.ts';
import { ERR } from '../messages.ts';
import { pickNode } from '../scheduler.ts';
import type { LaunchNic, LaunchSpec } from '../agent.ts';
import { FINAL, emit, newUid, type CoreState, type MigrationState, type Nic } from './CoreState.ts';
import { launchNics } from './networking.ts';
import { request, place, unplace } from './placement.ts';
import { markDirty } from './vmController.ts';
import { retryWaiting } from './vmiLifecycle.ts';

/** Creates a migration (named, or `<vmi>-migration-<n>`) and starts it when the limits allow (R-V4, R-M5). Internal. */
export function createMigration(s: CoreState, vmiName: string, name: string | null): Result {
  const vmi = s.vmis.get(vmiName);
  if (!vmi) return ERR.migrationNoVmi(vmiName);
  if (FINAL(vmi.phase)) return ERR.migrationFinal();
  if (vmi.activeMigration) return ERR.migrationInFlight(vmi.activeMigration.uid, vmiName);
  if (vmi.migratable.status === 'False') return ERR.notMigratable(vmi.migratable.reason!, vmi.migratable.message ?? '');
  let mname = name;
  if (mname === null) {
    const n = (s.migrationCounters.get(vmiName) ?? 0) + 1;
    s.migrationCounters.set(vmiName, n);
    mname = `${vmiName}-migration-${n}`;
  }
  const m: MigrationState = {
    name: mname,
    uid: newUid(s, 'vmim'),
    vmiName,
    vmi,
    phase: 'Pending',
    source: null,
    target: null,
    targetNics: null,
    removeWhenFinal: false,
  };
  s.migrations.set(mname, m);
  vmi.activeMigration = m;
  s.pendingMigrations.push(m);
  pumpMigrations(s);
  return OK;
}

/** Starts pending migrations within the cluster and per-node limits (R-M5). */
function pumpMigrations(s: CoreState): void {
  const limit = s.cluster.parallelMigrationsPerCluster;
  const perNode = s.cluster.parallelOutboundMigrationsPerNode;
  for (let i = 0; i < s.pendingMigrations.length && s.runningMigrations < limit; ) {
    const m = s.pendingMigrations[i]!;
    const v = m.vmi!;
    if (v.phase !== 'Running' || v.node === null) {
      i++;
      continue; // waits until its VMI runs
    }
    if ((s.outbound.get(v.node) ?? 0) >= perNode) {
      i++;
      continue;
    }
    removeAt(s.pendingMigrations, i);
    startMigration(s, m);
  }
}

/** Removes the element at `i`, keeping the order (splice would allocate the array of removed elements). */
function removeAt<T>(a: T[], i: number): void {
  for (let j = i + 1; j < a.length; j++) a[j - 1] = a[j]!;
  a.pop();
}

/** A NIC as it starts on the migration target: same MAC and IP, its VF still to take. */
function targetNic(n: Nic): Nic {
  return { name: n.name, kind: n.kind, podBinding: n.podBinding, network: n.network, mac: n.mac, macSource: n.macSource, ipv4Cidr: n.ipv4Cidr, vf: null };
}

/** An SR-IOV NIC the target node had no VF for. */
function vfMissing(n: Nic): boolean {
  return n.kind === 'sriov' && n.vf === null;
}

/** Picks a target node and hands the migration to the agent; Failed when no node fits (R-M3). */
function startMigration(s: CoreState, m: MigrationState): void {
  const v = m.vmi!;
  const source = v.node!;
  const req = request(s, v);
  const target = req ? pickNode(s.sortedNodes, req.pinned === null ? req : { ...req, pinned: null }, source) : null;
  m.source = source;
  if (!target) {
    // R-M3: the target pod stays unschedulable until its timeout; at quiescence it is Failed.
    m.phase = 'Failed';
    v.activeMigration = null;
    afterMigration(s, m);
    return;
  }
  const nics = v.nics.map(targetNic);
  place(s, v, target, nics, false);
  if (nics.some(vfMissing)) {
    unplace(s, v, target.name, nics, false, false);
    m.phase = 'Failed';
    v.activeMigration = null;
    afterMigration(s, m);
    return;
  }
  m.phase = 'Running';
  m.target = target.name;
  m.targetNics = nics;
  s.runningMigrations++;
  s.outbound.set(source, (s.outbound.get(source) ?? 0) + 1);
  v.migration = { completed: false, failed: false, sourceNode: source, targetNode: target.name };
  emit(s, { type: 'migrate', uid: v.uid, migration: m.name, targetNode: target.name, nics: launchNics(nics) });
}

/** Ends a pending or running migration; a success moves the VMI when the rules say so (R-M4). Internal. */
export function finishMigration(s: CoreState, m: MigrationState, phase: 'Succeeded' | 'Failed'): void {
  if (m.phase !== 'Pending' && m.phase !== 'Running') return; // final: nothing to do (and its VMI is forgotten)
  const v = m.vmi!;
  if (m.phase === 'Pending') {
    const i = s.pendingMigrations.indexOf(m);
    if (i >= 0) removeAt(s.pendingMigrations, i);
    m.phase = 'Failed';
    v.activeMigration = null;
    afterMigration(s, m);
    return;
  }
  s.runningMigrations--;
  s.outbound.set(m.source!, (s.outbound.get(m.source!) ?? 1) - 1);
  v.activeMigration = null;
  m.phase = phase;
  const moves = phase === 'Succeeded' && s.rules.behaviour.migrationMovesNode;
  if (moves) {
    const target = s.nodes.get(m.target!)!;
    unplace(s, v, m.source!, v.nics, true, false);
    v.node = target.name;
    target.active++;
    s.nodeVmis.get(target.name)!.add(v);
    v.nics = m.targetNics!;
    if (v.launch) v.launch = movedLaunch(v.launch, target.name, launchNics(v.nics));
  } else unplace(s, v, m.target!, m.targetNics!, false, false);
  v.migration = { completed: true, failed: phase === 'Failed', sourceNode: m.source!, targetNode: m.target! };
  afterMigration(s, m);
}

/**
 * The launch spec on the target node: a new object (the old one is shared
 * with the agent), written out rather than spread, since the spread copy
 * showed in the profile. Same keys in the same order as launchSpec's.
 */
function movedLaunch(l: LaunchSpec, node: string, nics: LaunchNic[]): LaunchSpec {
  return {
    uid: l.uid,
    name: l.name,
    node,
    vcpus: l.vcpus,
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

/**
 * Books a finished migration, wakes its owner, and lets the next ones start.
 * The migration then forgets its VMI and target NICs: up to 5 finished ones
 * per VMI name are kept for the observation, which reads only their name,
 * VMI name and phase, and holding the VMI (with its NICs and launch spec)
 * long after it is gone made the young GC copy and promote it.
 */
function afterMigration(s: CoreState, m: MigrationState): void {
  const owner = m.vmi!.owner;
  m.vmi = null;
  m.targetNics = null;
  if (m.removeWhenFinal) s.migrations.delete(m.name);
  else {
    // KubeVirt keeps the 5 newest finalized migrations per VMI (REFERENCE §4.1).
    let done = s.finishedMigrations.get(m.vmiName);
    if (!done) s.finishedMigrations.set(m.vmiName, (done = []));
    done.push(m);
    if (done.length > 5) {
      const old = done.shift()!;
      if (s.migrations.get(old.name) === old) s.migrations.delete(old.name);
    }
  }
  if (owner) markDirty(s, owner);
  pumpMigrations(s);
  retryWaiting(s);
}

/** Count of migrations not yet final (bench, tests). */
export function migrationsInFlight(s: CoreState): number {
  return s.pendingMigrations.length + s.runningMigrations;
}
