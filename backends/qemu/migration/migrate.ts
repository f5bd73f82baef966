/**
 * Live migration of one VMI between two QEMU processes on this host.
 * Internal (QemuAgent's `migrate` effect).
 *
 * 1. SR-IOV VFs are hot-unplugged on the source (device_del, wait for
 *    DEVICE_DELETED naming the device, netdev_del).
 * 2. A target QEMU starts in the target node's directory with the same
 *    device list and `-incoming defer` (qemuArgs), VFs left out.
 * 3. Both sides turn on migration events; the source gets a high
 *    max-bandwidth (while the target starts); the target listens
 *    (`migrate-incoming unix:`); node-local disks are mirrored to the target
 *    (diskMirror.ts); the source sends (`migrate unix:`).
 * 4. The source's MIGRATION event decides: `completed` → the disk mirrors
 *    complete, the target (started with -S) resumes unless the VMI was
 *    paused, the source quits, the target becomes the VMI's launcher, the
 *    target's VFs (effect.nics) are hot-plugged → migrationCompleted; `failed` (target died, refused)
 *    → the target is killed, the source keeps running with its VFs plugged
 *    back → migrationFailed.
 */
import { rm } from 'node:fs/promises';
import type { AgentEvent, Effect, LaunchDisk, LaunchNic, LaunchSpec } from '../../../harness/cluster/index.ts';
import type { LaunchResult } from '../launcher/launchVmi.ts';
import type { VmiLauncher } from '../launcher/VmiLauncher.ts';
import { nicDeviceId, portId } from '../devices.ts';
import { vfPlugCommands, vfUnplugCommands } from '../network/nicArgs.ts';
import type { QmpClient } from '../qmp/QmpClient.ts';
import { abandonMirrors, finishMirrors, mirroredDisks, startMirrors } from './diskMirror.ts';
import { readRawFacts } from '../facts/guestFacts.ts';
import { retryUntil } from '../retryUntil.ts';
import { GUEST_OP_MS, GUEST_REACTION_MS, MIGRATION_STEP_MS, MIGRATION_TIMEOUT_MS } from '../budgets.ts';

/** A migration in flight. Internal. */
export interface MigrationHandle {
  uid: string;
  migration: string;
  targetNode: string;
  target: VmiLauncher | null;
  /** Set by the killMigrationTarget fault: the target dies as soon as it exists. */
  killTarget: boolean;
  /** Set by abortMigration: cancelled on the source (`migrate_cancel`), or never sent if not yet started. */
  abort: boolean;
  /**
   * While the migration is held (bandwidth-capped and sent, docs/harness-choices.md §2): lets it
   * finish at once (lifts the cap) and makes it count as in flight again. Null otherwise.
   */
  release: (() => void) | null;
  /** Another effect on the VMI came before the migration was held: it is not held, its cap goes at once. */
  releaseRequested: boolean;
  /** Resolves when the migration has ended either way. */
  finished: Promise<void>;
}

/**
 * What a migration needs of the node agent, and nothing more: the source's
 * launcher, a way to start the target QEMU, the segments of the VFs, the
 * hand-over, the registry of migrations in flight, and the agent's events.
 */
export interface MigrationHost {
  live(uid: string): VmiLauncher | undefined;
  /** Starts the target QEMU (`-incoming defer`, VFs left out) in a fresh run dir on `spec.node`. */
  startTarget(spec: LaunchSpec): Promise<LaunchResult>;
  /** The unix socket of a NAD's segment (to re-plug a VF). */
  hubSocket(network: string): Promise<string>;
  /** The target becomes the VMI's launcher. */
  handOver(uid: string, target: VmiLauncher): void;
  readonly migrations: Map<string, MigrationHandle>;
  /** Marks the caller's tracked work as parked (not in flight) until the returned function is called. */
  park(): () => void;
  /** Effects on the VMI waiting behind the one running (its migration). */
  queuedBehind(uid: string): number;
  emit(e: AgentEvent): void;
  track<T>(label: string, work: Promise<T>): Promise<T>;
}

/** Bandwidth cap for the migration stream: 10 GiB/s, i.e. no cap on a unix socket (docs/qemu-notes.md: 0.5 s for 256 MiB). */
export const MAX_BANDWIDTH = 10 * 1024 ** 3;

type MigrateEffect = Extract<Effect, { type: 'migrate' }>;

async function unplugVf(qmp: QmpClient, nic: LaunchNic): Promise<void> {
  const [del, netdel] = vfUnplugCommands(nic);
  const deleted = qmp.waitEvent('DEVICE_DELETED', MIGRATION_STEP_MS, (d) => d['device'] === nicDeviceId(nic));
  deleted.catch(() => undefined);
  await qmp.executeRaw(del.execute, del.arguments, MIGRATION_STEP_MS);
  await deleted;
  await qmp.executeRaw(netdel.execute, netdel.arguments, MIGRATION_STEP_MS);
}

async function plugVfs(host: MigrationHost, qmp: QmpClient, nics: LaunchNic[], node: string): Promise<void> {
  for (const nic of nics) {
    if (nic.kind !== 'sriov' || !nic.network) continue;
    const hubSocket = await host.hubSocket(nic.network);
    for (const c of vfPlugCommands(nic, portId.nic(nic.name), { hubSocket, node })) await qmp.executeRaw(c.execute, c.arguments, MIGRATION_STEP_MS);
  }
}

/**
 * Waits until the guest has configured the re-plugged VFs (it sets their
 * static addresses when the NIC appears), so that the migration is not
 * reported done while the guest is still catching up. Bounded: on timeout the
 * observation shows whatever the guest really has.
 */
async function vfsConfigured(target: VmiLauncher, nics: LaunchNic[]): Promise<void> {
  const expected = nics.filter((n) => n.kind === 'sriov' && n.ipv4Cidr !== null);
  if (expected.length === 0) return;
  const configured = async (): Promise<void> => {
    const { nics: seen } = await readRawFacts(target.proc.qga, GUEST_OP_MS);
    const missing = expected.filter((n) => !seen.some((g) => g.mac.toLowerCase() === n.mac.toLowerCase() && g.ipv4.includes(n.ipv4Cidr!)));
    if (missing.length) throw new Error(`not yet configured: ${missing.map((n) => n.name).join(', ')}`);
  };
  await retryUntil(configured, { timeoutMs: GUEST_REACTION_MS, intervalMs: 200, what: 'VF re-plug' }).catch(() => undefined);
}

/** Status of the source's migration once it is final (completed / failed / cancelled). */
function finalStatus(qmp: QmpClient, timeoutMs: number): Promise<string> {
  return qmp
    .waitEvent('MIGRATION', timeoutMs, (d) => ['completed', 'failed', 'cancelled'].includes(String(d['status'])))
    .then((e) => String(e.data['status']));
}

/** A held migration waits this long for its outcome: it is released at the next settle, the engine's next step. */
const HELD_MIGRATION_MS = 600_000;

/** Performs a migrate effect; reports migrationCompleted / migrationFailed. Never throws. */
export async function migrate(host: MigrationHost, e: MigrateEffect): Promise<void> {
  let handle: MigrationHandle | null = null;
  const fail = (reason: string): void => {
    const ev: AgentEvent = { type: 'migrationFailed', uid: e.uid, migration: e.migration, reason };
    if (handle?.abort) ev.aborted = true; // libvirt AbortJob succeeded (live-migration-source.go asyncMigrationAbort)
    host.emit(ev);
  };
  const src = host.live(e.uid);
  if (!src) return fail('source launcher is gone');
  // The source unplugs its VFs first and waits for the guest to release them; a guest that runs no OS
  // (paused, or never booted: no agent) never does, and KubeVirt's wait times out (live-migration-source.go
  // hotUnplugHostDevices). Fail at once rather than leave an unplug request that the guest would carry out
  // once it runs, with no VF plugged back (KubeVirt's virt-handler re-attaches it: hotplugSriovInterfaces).
  if (src.spec.nics.some((n) => n.kind === 'sriov') && (src.paused || !src.agentConnected)) return fail('SR-IOV host devices not detached: the guest runs no OS');
  let done!: () => void;
  // KubeVirt bandwidthPerMigration, applied as libvirt does: max-bandwidth on the source before `migrate`.
  const capped = e.bandwidthBytesPerSecond !== undefined && e.bandwidthBytesPerSecond > 0;
  let unpark: (() => void) | null = null;
  handle = { uid: e.uid, migration: e.migration, targetNode: e.targetNode, target: null, killTarget: false, abort: false, release: null, releaseRequested: false, finished: new Promise((r) => (done = r)) };
  host.migrations.set(e.uid, handle);
  src.migrating = true; // its STOP at the switch-over (and RESUME after a failure) is not a pause
  const sq = src.proc.qmp;
  const vfs = src.spec.nics.filter((n) => n.kind === 'sriov');
  let unplugged: LaunchNic[] = [];
  let mirrors: LaunchDisk[] = [];
  const caps = { capabilities: [{ capability: 'events', state: true }] };
  try {
    // The target QEMU's start is the slowest step before the copy: the source gets ready meanwhile.
    const starting = host.startTarget({ ...src.spec, node: e.targetNode, nics: e.nics });
    const sourceReady = (async () => {
      for (const nic of vfs) {
        await unplugVf(sq, nic);
        unplugged.push(nic);
      }
      const bandwidth = capped ? e.bandwidthBytesPerSecond! : MAX_BANDWIDTH;
      await Promise.all([sq.execute('migrate-set-capabilities', caps, MIGRATION_STEP_MS), sq.execute('migrate-set-parameters', { 'max-bandwidth': bandwidth }, MIGRATION_STEP_MS)]);
    })();
    const [started, ready] = await Promise.allSettled([starting, sourceReady]);
    if (started.status === 'fulfilled' && 'launcher' in started.value) {
      const t = started.value.launcher;
      t.intent = 'handedOver'; // until it has the VMI, its end is not the VMI's end
      handle.target = t;
      if (handle.killTarget) t.kill();
    }
    if (ready.status === 'rejected') throw ready.reason;
    if (started.status === 'rejected') throw started.reason;
    if ('error' in started.value) throw new Error(`target: ${started.value.error}`);
    const { launcher: target, paths } = started.value;
    const tq = target.proc.qmp;
    const uri = `unix:${paths.migration}`;
    mirrors = mirroredDisks(src.spec);
    // QMP runs one session's commands in order: no need to wait for each reply. No early `cont`
    // on the target: it activates the disk images at once, and a shared PVC's image is still
    // write-locked by the source ("Failed to get \"write\" lock"); the target runs after completion.
    await Promise.all([tq.execute('migrate-set-capabilities', caps, MIGRATION_STEP_MS), tq.execute('migrate-incoming', { uri }, MIGRATION_STEP_MS)]);
    await startMirrors(sq, tq, mirrors, `${paths.dir}/nbd`);
    if (handle.abort) throw new Error('Live migration has been aborted');
    const outcome = finalStatus(sq, capped ? HELD_MIGRATION_MS : MIGRATION_TIMEOUT_MS);
    outcome.catch(() => undefined);
    await sq.execute('migrate', { uri }, MIGRATION_STEP_MS);
    const lift = (): void => void sq.execute('migrate-set-parameters', { 'max-bandwidth': MAX_BANDWIDTH }, MIGRATION_STEP_MS).catch(() => undefined);
    // An effect on the VMI already waits for it (it came before the handle existed): not held.
    if (capped && (handle.releaseRequested || host.queuedBehind(e.uid) > 0)) lift();
    else if (capped && !handle.abort && !handle.killTarget) {
      // Held: in flight, but no longer keeping the settle busy, until released.
      unpark = host.park();
      const h = handle;
      h.release = () => {
        h.release = null;
        unpark?.();
        lift();
      };
    }
    let status: string;
    try {
      status = await outcome;
    } catch {
      await sq.execute('migrate_cancel').catch(() => undefined);
      status = 'timed out';
    }
    if (status !== 'completed') {
      const info = await sq.execute('query-migrate', undefined, MIGRATION_STEP_MS).catch(() => null);
      throw new Error(`migration ${status}${info?.['error-desc'] ? `: ${info['error-desc']}` : ''}`);
    }

    // The source is stopped (postmigrate): finish the disk copies, then the target may run.
    await finishMirrors(sq, tq, mirrors);
    mirrors = [];
    if (!src.paused) await tq.execute('cont', undefined, MIGRATION_STEP_MS);

    // Hand the VMI over: the target carries on, the source quits silently.
    src.intent = 'handedOver';
    target.intent = 'none';
    target.paused = src.paused;
    target.frozen = src.frozen;
    target.agentConnected = src.agentConnected;
    host.handOver(e.uid, target);
    unplugged = [];
    const teardown = src.proc.stop().then(() => src.done).then(() => rm(src.proc.paths.dir, { recursive: true, force: true }));
    void host.track(`vmi ${src.spec.name}: migration source quitting`, teardown);
    await plugVfs(host, tq, e.nics, e.targetNode);
    if (!target.paused && target.agentConnected) await vfsConfigured(target, e.nics);
    host.emit({ type: 'migrationCompleted', uid: e.uid, migration: e.migration, targetNode: e.targetNode });
    if (!target.agentConnected) target.pollAgent();
  } catch (err) {
    const t = handle.target;
    if (t && t.intent === 'handedOver') {
      t.kill();
      await t.done;
      await rm(t.proc.paths.dir, { recursive: true, force: true });
    }
    if (!src.ended && mirrors.length) await abandonMirrors(sq, mirrors);
    if (!src.ended && unplugged.length) {
      await plugVfs(host, sq, unplugged, src.spec.node).catch(() => undefined);
      // as after a completed migration: the outcome is reported once the guest has its VFs' addresses back
      if (!src.paused && src.agentConnected) await vfsConfigured(src, unplugged);
    }
    fail(err instanceof Error ? err.message : String(err));
  } finally {
    handle.release = null;
    unpark?.();
    src.migrating = false;
    host.migrations.delete(e.uid);
    done();
  }
}
