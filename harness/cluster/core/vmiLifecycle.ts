/**
 * The VMI lifecycle (R-P*, R-G*): create, advance through Pending /
 * Scheduling / Scheduled to launch, the agent's VMI events, shutdown, the
 * end of a VMI and its removal, and the VMI conditions. Internal to the
 * cluster core.
 */
import { findImage } from '../../api/images.ts';
import type { AgentEvent, LaunchSpec } from '../agent.ts';
import type { ObservedCondition } from '../../observe/types.ts';
import { launchDisks } from '../launchDisks.ts';
import { generatedMac } from '../ipam.ts';
import { pickNode, unschedulableMessage } from '../scheduler.ts';
import { FINAL, emit, newUid, type CoreState, type VmState, type VmiState, type Nic, type VmiTemplate } from './CoreState.ts';
import { finishMigration } from './migrations.ts';
import { nad, launchNics } from './networking.ts';
import { request, place, unplace } from './placement.ts';
import { provision, deletePvc, pvcInUse } from './storage.ts';
import { markDirty, onVmiFinal } from './vmController.ts';

const MIGRATABLE: VmiState['migratable'] = Object.freeze({ status: 'True' });
const FIRMWARE_BOOT: LaunchSpec['boot'] = Object.freeze({ kind: 'firmware' });

/** A new VMI's NIC: its spec MAC, else the next generated one. */
function vmiNic(s: CoreState, n: VmiTemplate['nics'][number], specMac: string | null): Nic {
  return {
    name: n.name,
    kind: n.kind,
    podBinding: n.podBinding,
    network: n.network,
    mac: specMac ?? generatedMac(s.macCounter++),
    macSource: specMac ? 'spec' : 'generated',
    ipv4Cidr: n.kind === 'pod' ? '10.0.2.2/24' : null,
    vf: null,
  };
}

/** Creates a VMI (MACs given here) and advances it as far as it can go. Internal. */
export function createVmi(s: CoreState, name: string, owner: VmState | null, tmpl: VmiTemplate, startPaused: boolean): VmiState {
  const spec = tmpl.spec;
  // arrays allocated at their size (a VMI is made per start / restart); one NIC, the usual case, without map's closure
  const tn = tmpl.nics;
  const nics = tn.length === 1 ? [vmiNic(s, tn[0]!, tmpl.specMacs[0]!)] : tn.map((n, i) => vmiNic(s, n, tmpl.specMacs[i]!));
  const vmi: VmiState = {
    name,
    uid: newUid(s, 'vmi'),
    seq: ++s.vmiSeq,
    owner,
    tmpl,
    spec,
    cpu: tmpl.cpu,
    memMiB: tmpl.memMiB,
    phase: 'Pending',
    node: null,
    everRunning: false,
    launched: false,
    paused: false,
    // set here, though optional, so that every VMI has one shape (a field added later changes the hidden class)
    pauseReason: undefined,
    agent: false,
    startPaused,
    deleting: false,
    shuttingDown: false,
    grace: spec.terminationGracePeriodSeconds ?? s.cluster.terminationGracePeriodSeconds,
    sync: null,
    unschedulable: null,
    nics,
    claims: tmpl.claims,
    migratable: MIGRATABLE,
    migration: null,
    activeMigration: null,
    launch: null,
    waitingVolumes: false,
  };
  s.vmis.set(name, vmi);
  s.byUid.set(vmi.uid, vmi);
  advance(s, vmi);
  return vmi;
}

/** Moves a Pending/Scheduling VMI as far as its prerequisites allow. */
export function advance(s: CoreState, vmi: VmiState): void {
  if (vmi.deleting || (vmi.phase !== 'Pending' && vmi.phase !== 'Scheduling' && !vmi.waitingVolumes)) return;
  if (vmi.waitingVolumes) {
    launchIfVolumesReady(s, vmi);
    return;
  }
  const blocked = blocker(s, vmi);
  if (blocked !== null) {
    vmi.sync = blocked.sync;
    s.waiting.add(vmi);
    return;
  }
  vmi.sync = null;
  const req = request(s, vmi);
  const node = req ? pickNode(s.sortedNodes, req, null) : null;
  if (!node || !req) {
    vmi.phase = 'Scheduling';
    vmi.unschedulable = req ? unschedulableMessage(s.sortedNodes, req) : 'volumes pinned to different nodes';
    s.waiting.add(vmi);
    return;
  }
  unwait(s, vmi);
  vmi.unschedulable = null;
  vmi.phase = 'Scheduled';
  place(s, vmi, node, vmi.nics, true);
  for (let i = 0; i < vmi.claims.length; i++) {
    const p = s.pvcs.get(vmi.claims[i]!)!;
    if (p.phase === 'Pending' && !p.provisioning) {
      p.storage ??= 'shared';
      provision(s, p, node.name);
    }
  }
  const t = vmi.tmpl;
  if (t.migratableVersion !== s.version) {
    t.migratable = liveMigratable(s, vmi);
    t.migratableVersion = s.version;
  }
  vmi.migratable = t.migratable!;
  vmi.waitingVolumes = true;
  launchIfVolumesReady(s, vmi);
}

/** Takes a VMI off the waiting list; the list is empty most of the time, so the lookup is skipped then. */
function unwait(s: CoreState, vmi: VmiState): void {
  if (s.waiting.size > 0) s.waiting.delete(vmi);
}

/** Launches a scheduled VMI once all its claims are Bound. */
function launchIfVolumesReady(s: CoreState, vmi: VmiState): void {
  for (let i = 0; i < vmi.claims.length; i++) {
    const p = s.pvcs.get(vmi.claims[i]!);
    if (!p || p.phase !== 'Bound') {
      s.waiting.add(vmi);
      return;
    }
  }
  unwait(s, vmi);
  vmi.waitingVolumes = false;
  vmi.launch = launchSpec(s, vmi);
  vmi.launched = true;
  emit(s, { type: 'launch', spec: vmi.launch });
}

/** What keeps a VMI Pending before scheduling; null when nothing does. */
function blocker(s: CoreState, vmi: VmiState): { sync: VmiState['sync'] } | null {
  if (vmi.tmpl.simple) return vmi.tmpl.imageBlocker ? { sync: vmi.tmpl.imageBlocker } : null;
  for (const v of vmi.spec.volumes ?? []) {
    if (v.dataVolume) {
      const d = s.dvs.get(v.dataVolume.name);
      if (d && d.phase !== 'Succeeded') return { sync: null }; // Provisioning / DataVolumeError at the VM
    }
  }
  for (const claim of vmi.claims) {
    const p = s.pvcs.get(claim);
    if (!p) return { sync: { reason: 'FailedPvcNotFound', message: `PVC default/${claim} does not exist, waiting for it to appear` } };
  }
  if (vmi.tmpl.imageBlocker) return { sync: vmi.tmpl.imageBlocker };
  for (const nic of vmi.nics) {
    if (nic.network !== null && !nad(s, nic.network)) {
      return { sync: { reason: 'FailedCreate', message: `failed to locate network attachment definition default/${nic.network}` } };
    }
  }
  for (const claim of vmi.claims) {
    const p = s.pvcs.get(claim)!;
    if (p.phase !== 'Bound' && (p.provisioning || !p.wffc || !p.storage)) return { sync: null };
  }
  return null;
}

/** The LiveMigratable condition, from the rule table. */
function liveMigratable(s: CoreState, vmi: VmiState): VmiState['migratable'] {
  const nonShared: string[] = [];
  for (const c of vmi.claims) if (!s.pvcs.get(c)?.rwx) nonShared.push(c);
  const facts = { podBridge: vmi.nics.some((n) => n.podBinding === 'bridge'), hostDevices: false, nonSharedClaims: nonShared };
  for (const r of s.rules.liveMigratable) {
    const message = r.message(facts);
    if (message !== null) return { status: 'False', reason: r.reason, message };
  }
  return { status: 'True' };
}

/** What the launcher runs: the VMI spec resolved against its node and the cluster's objects. */
function launchSpec(s: CoreState, vmi: VmiState): LaunchSpec {
  const spec = vmi.spec;
  const t = vmi.tmpl;
  if (t.disksVersion !== s.version) {
    t.disks = launchDisks(spec, { name: vmi.name, hostname: spec.hostname ?? vmi.name }, s.diskLookups);
    t.disksVersion = s.version;
  }
  const kb = spec.domain.firmware?.kernelBoot;
  return {
    uid: vmi.uid,
    name: vmi.name,
    node: vmi.node!,
    vcpus: vmi.cpu,
    memoryMiB: vmi.memMiB,
    hostname: spec.hostname ?? vmi.name,
    boot: kb ? { kind: 'kernel', image: findImage(kb.container.image)!.ref, kernelArgs: kb.kernelArgs ?? '' } : FIRMWARE_BOOT,
    disks: t.disks!,
    nics: launchNics(vmi.nics),
    startPaused: vmi.startPaused,
    terminationGracePeriodSeconds: vmi.grace,
    acpi: spec.domain.features?.acpi?.enabled !== false,
  };
}

/**
 * Deletes a VMI from the API: at once when no launcher runs, else a
 * graceful shutdown and removal on exit. `grace` overrides the VMI's.
 */
export function deleteVmi(s: CoreState, vmi: VmiState, grace: number | null): void {
  if (grace !== null) vmi.grace = grace;
  vmi.deleting = true;
  if (FINAL(vmi.phase) || !vmi.launched) {
    if (!FINAL(vmi.phase)) endVmi(s, vmi, 'Failed');
    removeVmi(s, vmi);
    return;
  }
  requestShutdown(s, vmi);
}

/** Asks the agent for a graceful shutdown with the VMI's grace period. Internal. */
export function requestShutdown(s: CoreState, vmi: VmiState): void {
  vmi.shuttingDown = true;
  emit(s, { type: 'shutdown', uid: vmi.uid, graceSeconds: vmi.grace });
}

/** A VMI becomes final: resources released, migration failed, owner told. */
function endVmi(s: CoreState, vmi: VmiState, phase: 'Succeeded' | 'Failed'): void {
  if (FINAL(vmi.phase)) return;
  vmi.phase = phase;
  vmi.paused = false;
  vmi.agent = false;
  vmi.waitingVolumes = false;
  unwait(s, vmi);
  const m = vmi.activeMigration;
  if (m) finishMigration(s, m, 'Failed');
  if (vmi.node !== null) unplace(s, vmi, vmi.node, vmi.nics, true, true);
  else unplace(s, vmi, '', vmi.nics, false, true);
  for (let i = 0; i < vmi.claims.length; i++) {
    const p = s.pvcs.get(vmi.claims[i]!);
    if (p?.deleting && !pvcInUse(s, p.name)) deletePvc(s, p);
  }
  onVmiFinal(s, vmi);
  retryWaiting(s);
}

/** Removes a VMI from the API; its owner reacts. */
function removeVmi(s: CoreState, vmi: VmiState): void {
  if (s.vmis.get(vmi.name) === vmi) s.vmis.delete(vmi.name);
  s.byUid.delete(vmi.uid);
  if (vmi.launched) emit(s, { type: 'cleanup', uid: vmi.uid });
  if (vmi.owner && vmi.owner.vmi === vmi) {
    vmi.owner.vmi = null;
    markDirty(s, vmi.owner);
  }
}

/** Advances the waiting VMIs again, oldest first. Internal. */
export function retryWaiting(s: CoreState): void {
  if (s.waiting.size === 0) return;
  const list = [...s.waiting].sort((a, b) => a.seq - b.seq);
  for (const v of list) advance(s, v);
}

/** Feeds one agent event about a VMI; unknown or final VMIs ignore it. Internal. */
export function onVmiEvent(s: CoreState, ev: Exclude<AgentEvent, { type: 'volumeReady' } | { type: 'volumeFailed' }>): void {
  const vmi = s.byUid.get(ev.uid);
  if (!vmi || FINAL(vmi.phase)) return;
  switch (ev.type) {
    case 'running':
      if (vmi.phase === 'Scheduled') {
        vmi.phase = 'Running';
        vmi.everRunning = true;
        const owner = vmi.owner;
        if (owner && (owner.startFailures > 0 || owner.backoff)) {
          owner.startFailures = 0;
          owner.backoff = false;
          markDirty(s, owner);
        }
      }
      break;
    case 'launchFailed':
      exited(s, vmi, 'Failed');
      break;
    case 'agentConnected':
      vmi.agent = ev.connected;
      break;
    case 'paused':
      vmi.paused = ev.paused;
      vmi.pauseReason = ev.reason;
      break;
    case 'exited':
      exited(s, vmi, s.rules.exitPhase[ev.reason]);
      break;
    case 'migrationCompleted': {
      const m = vmi.activeMigration;
      if (m && m.name === ev.migration) finishMigration(s, m, 'Succeeded');
      break;
    }
    case 'migrationFailed': {
      const m = vmi.activeMigration;
      if (m && m.name === ev.migration) finishMigration(s, m, 'Failed');
      break;
    }
  }
}

/** The launcher ended: the VMI becomes final, and goes when deleted. Internal. */
export function exited(s: CoreState, vmi: VmiState, phase: 'Succeeded' | 'Failed'): void {
  endVmi(s, vmi, phase);
  if (vmi.deleting) removeVmi(s, vmi);
}

/** VMI conditions as compared (R-P2). Public. */
export function vmiConditions(v: VmiState): Record<string, ObservedCondition> {
  const c: Record<string, ObservedCondition> = {};
  const running = v.phase === 'Running';
  c.Ready = running && !v.paused ? { status: 'True' } : { status: 'False' };
  if (running && v.paused) c.Paused = { status: 'True', reason: v.pauseReason === 'ioError' ? 'PausedIOError' : 'PausedByUser' };
  if (running && v.agent) c.AgentConnected = { status: 'True' };
  if (running) c.LiveMigratable = v.migratable.status === 'True' ? { status: 'True' } : { status: 'False', reason: v.migratable.reason! };
  if (v.unschedulable !== null && v.phase === 'Scheduling') c.PodScheduled = { status: 'False', reason: 'Unschedulable' };
  if (v.sync) c.Synchronized = { status: 'False', reason: v.sync.reason };
  return c;
}
