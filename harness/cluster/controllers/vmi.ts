/**
 * The VirtualMachineInstance controller (R-P*, R-S1; KubeVirt
 * pkg/virt-controller/watch/vmi/vmi.go execute and the scheduler): advances
 * a VMI through Pending / Scheduling / Scheduled to its launch, asks the
 * agent for the shutdown a deletion implies, releases what an ended VMI
 * held and removes a deleted one once its launcher exited. VMIs that cannot
 * advance wait, and are looked at again, oldest first, whenever an object
 * they may wait for changes. Internal to the cluster core.
 */
import type { ConfigMap, Secret } from '../../api/index.ts';
import { findImage } from '../../api/index.ts';
import type { LaunchSpec } from '../agent.ts';
import { launchDisks, type DiskLookups } from '../launchDisks.ts';
import { pickNode, unschedulableMessage } from '../scheduler.ts';
import { FINAL, type ApiObject } from '../store/objects.ts';
import type { Migratability, NodeRecord, PvcRecord, SyncBlocker } from '../store/records.ts';
import type { Store } from '../store/Store.ts';
import { launchNics, nad, nodesByLoad, place, request, sortedNodes, unplace, type VmiEntry } from '../common/placement.ts';
import { cpuTopology, specCache } from '../common/template.ts';
import { endVmi, isDeleting, writeConditions, writeInterfaces } from '../common/vmis.ts';
import type { DvEntry, PvcEntry } from '../common/storage.ts';
import type { Controller, Ctx, Watch } from './Controller.ts';

const VMI = 'VirtualMachineInstance';
const FIRMWARE_BOOT: LaunchSpec['boot'] = Object.freeze({ kind: 'firmware' });

/** The controller's JSON state (Store.books.vmi). */
export interface VmiBook {
  /** VMIs that could not advance (blocked or unschedulable), looked at again when something changes. */
  waiting: string[];
  /** Per Node: the generation (an apply makes a new one) and uncordon count last seen. */
  nodes: Record<string, { generation: number; uncordons: number }>;
}

const book = (s: Store): VmiBook => s.books.vmi as VmiBook;

/** Queues the waiting VMIs, oldest first. */
function retryWaiting(c: Ctx, enqueue: (key: string) => void): void {
  const w = book(c.store).waiting;
  if (w.length === 0) return;
  const seq = (n: string) => (c.store.get(VMI, n) as VmiEntry | undefined)?.rec.seq ?? 0;
  for (const n of [...w].sort((a, b) => seq(a) - seq(b))) enqueue(n);
}

/**
 * The VMI itself, when there is something to do for it; an ended one frees
 * resources the waiting VMIs may take (after it). "Something to do" is
 * reconcile's own test: an ended VMI to release, or released, deleted and
 * let go by its owner; a deleted one not launched, or whose deletion is not
 * yet seen; one still to schedule or launch. Any other write (the owner's,
 * the agent's, this controller's own release) would queue a reconcile that
 * does nothing, and each of those facts only turns true with a write of the
 * VMI, which comes here again.
 */
const onVmi: Watch = (c, e, removed, enqueue) => {
  if (removed) return;
  const v = e as VmiEntry;
  const r = v.rec;
  const phase = v.obj.status.phase;
  if (FINAL(phase)) {
    if (!r.released || (isDeleting(v) && !r.ownerFinalizer)) enqueue(v.obj.metadata.name);
    retryWaiting(c, enqueue);
  } else if (isDeleting(v)) {
    if (!r.launched || !r.deletionSeen) enqueue(v.obj.metadata.name);
  } else if (phase === 'Pending' || phase === 'Scheduling' || r.waitingVolumes) enqueue(v.obj.metadata.name);
};

/** A new or changed object a VMI may wait for (a removal frees nothing: the harness keeps a waiting VMI's last verdict then). */
const waitingOnly: Watch = (c, _e, removed, enqueue) => {
  if (!removed) retryWaiting(c, enqueue);
};

/** A migration that ended gave back its target's resources. */
const onMigration: Watch = (c, e, removed, enqueue) => {
  const phase = (e.obj.status as { phase: string }).phase;
  if (!removed && (phase === 'Succeeded' || phase === 'Failed')) retryWaiting(c, enqueue);
};

/** A Node applied (a new generation) or uncordoned may take a waiting VMI; a cordon or a lost node frees nothing. */
const onNode: Watch = (c, e, removed, enqueue) => {
  if (removed) return;
  const seen = book(c.store).nodes;
  const name = e.obj.metadata.name;
  const uncordons = (e.rec as NodeRecord).uncordons;
  const last = seen[name];
  seen[name] = { generation: e.obj.metadata.generation, uncordons };
  if (!last || last.generation !== e.obj.metadata.generation || last.uncordons !== uncordons) retryWaiting(c, enqueue);
};

export const vmiController: Controller = {
  name: 'vmi',
  watches: {
    VirtualMachineInstance: onVmi,
    VirtualMachineInstanceMigration: onMigration,
    Node: onNode,
    PersistentVolumeClaim: (c, e, removed, enqueue) => {
      if (!isDeleting(e)) waitingOnly(c, e, removed, enqueue);
    },
    DataVolume: waitingOnly,
    NetworkAttachmentDefinition: waitingOnly,
    StorageClass: waitingOnly,
    ConfigMap: waitingOnly,
    Secret: waitingOnly,
    DataSource: waitingOnly,
  },
  reconcile(c, name) {
    const e = c.store.get(VMI, name) as VmiEntry | undefined;
    if (!e) return;
    const r = e.rec;
    // an ended VMI first gives back what it held; the waiting VMIs (queued by the same write) go before its removal
    if (FINAL(e.obj.status.phase)) {
      if (!r.released) release(c, e);
      else if (isDeleting(e) && !r.ownerFinalizer) remove(c, e);
      return;
    }
    if (isDeleting(e)) {
      if (!r.launched) endVmi(c.store, e, 'Failed');
      else if (!r.deletionSeen) {
        r.deletionSeen = true;
        requestShutdown(c, e);
      }
      return;
    }
    advance(c, e);
  },
};

/** Asks the agent for a graceful shutdown with the VMI's grace period. */
function requestShutdown(c: Ctx, e: VmiEntry): void {
  e.rec.shuttingDown = true;
  c.emit({ type: 'shutdown', uid: e.obj.metadata.uid, graceSeconds: e.rec.grace });
}

function wait(s: Store, name: string): void {
  const w = book(s).waiting;
  if (!w.includes(name)) w.push(name);
}

/** Takes a VMI off the waiting list; the list is empty most of the time. */
function unwait(s: Store, name: string): void {
  const w = book(s).waiting;
  if (w.length === 0) return;
  const i = w.indexOf(name);
  if (i >= 0) w.splice(i, 1);
}

/** Moves a Pending/Scheduling VMI as far as its prerequisites allow; status written when something changed. */
function advance(c: Ctx, e: VmiEntry): void {
  const r = e.rec;
  const st = e.obj.status;
  if (st.phase !== 'Pending' && st.phase !== 'Scheduling' && !r.waitingVolumes) return;
  const phase = st.phase;
  const sync = r.sync?.reason;
  const unschedulable = r.unschedulable;
  const waitingVolumes = r.waitingVolumes;
  const launched = r.launched;
  step(c, e);
  if (st.phase === phase && r.sync?.reason === sync && r.unschedulable === unschedulable && r.waitingVolumes === waitingVolumes && r.launched === launched) return;
  writeConditions(e);
  c.store.touch(e);
}

function step(c: Ctx, e: VmiEntry): void {
  const s = c.store;
  const r = e.rec;
  const name = e.obj.metadata.name;
  if (r.waitingVolumes) {
    launchIfVolumesReady(c, e);
    return;
  }
  const blocked = blocker(s, e);
  if (blocked !== undefined) {
    r.sync = blocked;
    wait(s, name);
    return;
  }
  r.sync = null;
  const req = request(s, e, null);
  const node = req ? pickNode(nodesByLoad(s), req, null) : null;
  if (!node || !req) {
    e.obj.status.phase = 'Scheduling';
    r.unschedulable = req ? unschedulableMessage(sortedNodes(s), req) : 'volumes pinned to different nodes';
    wait(s, name);
    return;
  }
  unwait(s, name);
  r.unschedulable = null;
  e.obj.status.phase = 'Scheduled';
  place(s, e, node, r.nics, true);
  if (!r.simple) writeInterfaces(e); // a simple VMI's pod NICs keep their address and take no VF
  for (let i = 0; i < r.claims.length; i++) {
    // a WaitForFirstConsumer claim is provisioned on its first consumer's node (the storage controller acts on the annotation)
    const p = s.get('PersistentVolumeClaim', r.claims[i]!) as PvcEntry;
    if (p.obj.status.phase === 'Pending' && !p.rec.provisioning && p.rec.consumerNode === null) {
      p.rec.consumerNode = node.name;
      s.touch(p);
    }
  }
  const cache = specCache(s, e.obj.spec as VmiEntry['obj']['spec']);
  if (cache.migratableVersion !== s.counters.configVersion) {
    cache.migratable = liveMigratable(c, e);
    cache.migratableVersion = s.counters.configVersion;
  }
  r.migratable = cache.migratable!;
  r.waitingVolumes = true;
  launchIfVolumesReady(c, e);
}

/** Launches a scheduled VMI once all its claims are Bound. */
function launchIfVolumesReady(c: Ctx, e: VmiEntry): void {
  const s = c.store;
  const r = e.rec;
  for (let i = 0; i < r.claims.length; i++) {
    const p = s.get('PersistentVolumeClaim', r.claims[i]!) as PvcEntry | undefined;
    if (!p || p.obj.status.phase !== 'Bound') {
      wait(s, e.obj.metadata.name);
      return;
    }
  }
  unwait(s, e.obj.metadata.name);
  r.waitingVolumes = false;
  r.launch = launchSpec(s, e);
  r.launched = true;
  c.emit({ type: 'launch', spec: r.launch });
}

/** What keeps a VMI Pending before scheduling (its Synchronized reason, or null for none shown); undefined when nothing does. */
function blocker(s: Store, e: VmiEntry): SyncBlocker | null | undefined {
  const r = e.rec;
  if (r.simple) return r.imageBlocker ?? undefined;
  const spec = e.obj.spec as VmiEntry['obj']['spec'] & { volumes?: { dataVolume?: { name: string } }[] };
  for (const v of spec.volumes ?? []) {
    if (v.dataVolume) {
      const d = s.get('DataVolume', v.dataVolume.name) as DvEntry | undefined;
      if (d && d.obj.status.phase !== 'Succeeded') return null; // Provisioning / DataVolumeError at the VM
    }
  }
  for (const claim of r.claims) {
    if (!s.get('PersistentVolumeClaim', claim)) return { reason: 'FailedPvcNotFound', message: `PVC default/${claim} does not exist, waiting for it to appear` };
  }
  if (r.imageBlocker) return r.imageBlocker;
  for (const nic of r.nics) {
    if (nic.network !== null && !nad(s, nic.network)) {
      return { reason: 'FailedCreate', message: `failed to locate network attachment definition default/${nic.network}` };
    }
  }
  for (const claim of r.claims) {
    const p = s.get('PersistentVolumeClaim', claim) as PvcEntry;
    if (p.obj.status.phase !== 'Bound' && (p.rec.provisioning || !p.rec.wffc || !p.rec.storage)) return null;
  }
  return undefined;
}

/** The LiveMigratable condition, from the rule table. */
function liveMigratable(c: Ctx, e: VmiEntry): Migratability {
  const nonShared: string[] = [];
  for (const claim of e.rec.claims) if (!(c.store.get('PersistentVolumeClaim', claim)?.rec as PvcRecord | undefined)?.rwx) nonShared.push(claim);
  const devices = (e.obj.spec as { domain: { devices: { hostDevices?: unknown[]; gpus?: unknown[] } } }).domain.devices;
  const facts = { podBridge: e.rec.nics.some((n) => n.podBinding === 'bridge'), hostDevices: devices.hostDevices?.length ?? 0, gpus: devices.gpus?.length ?? 0, nonSharedClaims: nonShared };
  for (const rule of c.rules.liveMigratable) {
    const message = rule.message(facts);
    if (message !== null) return { status: 'False', reason: rule.reason, message };
  }
  return { status: 'True' };
}

/** Where launchDisks finds the objects a VMI's volumes refer to. */
function diskLookups(s: Store): DiskLookups {
  return {
    pvc: (claim) => (s.get('PersistentVolumeClaim', claim)?.rec as PvcRecord | undefined),
    configMap: (name) => s.obj('ConfigMap', name) as (ApiObject & ConfigMap) | undefined,
    secret: (name) => s.obj('Secret', name) as (ApiObject & Secret) | undefined,
  };
}

/** What the launcher runs: the VMI spec resolved against its node and the cluster's objects. */
function launchSpec(s: Store, e: VmiEntry): LaunchSpec {
  const spec = e.obj.spec as VmiEntry['obj']['spec'];
  const name = e.obj.metadata.name;
  const r = e.rec;
  const cache = specCache(s, spec);
  if (cache.disksVersion !== s.counters.configVersion || cache.disksFor !== name) {
    const fw = (spec.domain as { firmware?: { uuid?: string } }).firmware?.uuid;
    cache.disks = launchDisks(spec, fw === undefined ? { name, hostname: spec.hostname ?? name } : { name, hostname: spec.hostname ?? name, firmwareUuid: fw }, diskLookups(s));
    cache.disksVersion = s.counters.configVersion;
    cache.disksFor = name;
  }
  const kb = spec.domain.firmware?.kernelBoot;
  return {
    uid: e.obj.metadata.uid,
    name,
    node: e.obj.status.nodeName!,
    vcpus: r.cpu,
    cpu: cpuTopology(spec, r.cpu),
    memoryMiB: r.memMiB,
    hostname: spec.hostname ?? name,
    boot: kb ? { kind: 'kernel', image: findImage(kb.container.image)!.ref, kernelArgs: kb.kernelArgs ?? '' } : FIRMWARE_BOOT,
    disks: cache.disks!,
    nics: launchNics(r.nics),
    startPaused: r.startPaused,
    terminationGracePeriodSeconds: r.grace,
    acpi: spec.domain.features?.acpi?.enabled !== false,
  };
}

/** An ended VMI gives back its node resources, VFs and IPs; the waiting VMIs get their chance. */
function release(c: Ctx, e: VmiEntry): void {
  const s = c.store;
  const r = e.rec;
  unwait(s, e.obj.metadata.name);
  const node = e.obj.status.nodeName;
  unplace(s, e, node ?? '', r.nics, node !== undefined, true);
  if (!r.simple) writeInterfaces(e);
  r.released = true;
  c.store.touch(e);
}

/** Removes a deleted, ended VMI from the API; its launcher's files go too. */
function remove(c: Ctx, e: VmiEntry): void {
  c.store.remove(e);
  if (e.rec.launched) c.emit({ type: 'cleanup', uid: e.obj.metadata.uid });
}

/** VMIs placed on no node yet hold their waiting place; used by the node-loss fault. Internal. */
export type { VmiEntry };
