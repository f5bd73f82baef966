/**
 * The VirtualMachine controller (R-RS*, R-V9, R-PS; KubeVirt
 * pkg/virt-controller/watch/vm/vm.go execute / sync / updateStatus): the
 * DataVolumes of a VM's templates, the run-strategy reactions to its VMI,
 * status.stateChangeRequests, crash-loop bookkeeping (status.startFailure),
 * the deletion of a VM, and its status (printableStatus, ready, created,
 * conditions). Internal to the cluster core.
 *
 * Crash-loop backoff (R-RS6; vm.go `syncStartFailureStatus`,
 * `startFailureBackoffTimeLeft`): every ended VMI that never ran counts as a
 * start failure, also one the controller deleted; Always and RerunOnFailure
 * wait 10·n² s (+ seeded jitter, at most 300 s) before the next VMI, a timer
 * on the core's clock; Once does not wait. A start, stop or restart request
 * clears the count (lifecycle.go `getChangeRequestJson`).
 */
import type { RunStrategy } from '../../api/index.ts';
import { BACKOFF_DELAYS_START, BACKOFF_STRATEGIES, crashLoopDelaySeconds, printableStatus, SET_TO_START, type SetToStartFacts, type Situation, type VmStatusFacts } from '../rules.ts';
import { FINAL, type Condition, type StateChangeRequest, type VmStatus } from '../store/objects.ts';
import type { DvRecord } from '../store/records.ts';
import type { VmiEntry } from '../common/placement.ts';
import { deleteDv, type DvEntry, type PvcEntry } from '../common/storage.ts';
import { template } from '../common/template.ts';
import { controllerOf, createVmi, deleteVmi, isDeleting, ownerRef, timestamp } from '../common/vmis.ts';
import { runStrategy, vmiOf, type VmEntry } from '../common/vms.ts';
import { seededFraction } from '../common/seeded.ts';
import type { MigrationPhase } from '../store/objects.ts';
import { byName, type Controller, type Ctx, type Watch } from './Controller.ts';

const VM = 'VirtualMachine';
const START: StateChangeRequest = Object.freeze({ action: 'Start' });
const VMI_NOT_EXISTS: Condition[] = Object.freeze([Object.freeze({ type: 'Ready', status: 'False', reason: 'VMINotExists' })]) as Condition[];

const owner: Watch = (_c, e, _removed, enqueue) => {
  const o = controllerOf(e.obj.metadata);
  if (o?.kind === VM) enqueue(o.name);
};

/** VMs whose volumes use this claim / DataVolume (their printableStatus reads it). */
const users: Watch = (c, e, _removed, enqueue) => {
  const name = e.obj.metadata.name;
  for (const vm of c.store.all<VmEntry['obj'], VmEntry['rec']>(VM).values()) {
    if (vm.rec.dvNames.includes(name) || (vm.rec.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === name || v.dataVolume?.name === name)) enqueue(vm.obj.metadata.name);
  }
};

export const vmController: Controller = {
  name: 'vm',
  watches: {
    VirtualMachine: byName,
    VirtualMachineInstance: owner,
    PersistentVolumeClaim: users,
    DataVolume: users,
  },
  reconcile(c, name) {
    const e = c.store.get(VM, name) as VmEntry | undefined;
    if (!e) return;
    const v = vmiOf(c.store, e);
    if (isDeleting(e)) {
      if (!finishDeletion(c, e, v)) writeStatus(c, e, v, runStrategy(e.obj.spec));
      return;
    }
    // the strategy is read once per reconcile: nothing below writes the spec
    const strategy = runStrategy(e.obj.spec);
    syncDataVolumes(c, e);
    bookFailures(c, e, v, strategy);
    releaseFinalizer(c, v);
    writeStatus(c, e, react(c, e, v, strategy), strategy);
  },
};

/** A deleted VM: its VMI first, then the VM and the DataVolumes it made. True once the VM is gone. */
function finishDeletion(c: Ctx, e: VmEntry, vmi: VmiEntry | null): boolean {
  const s = c.store;
  if (vmi) {
    if (!isDeleting(vmi)) deleteVmi(s, vmi, c.store.timestamp());
    releaseFinalizer(c, vmi);
    return false;
  }
  s.remove(e);
  for (const dv of e.rec.dvNames) {
    const d = s.get('DataVolume', dv) as DvEntry | undefined;
    if (d && d.rec.ownerVm === e.obj.metadata.name) deleteDv(s, d, c.store.timestamp());
  }
  return true;
}

/** Creates the DataVolumes of the VM's templates that do not exist, once per applied generation. */
function syncDataVolumes(c: Ctx, e: VmEntry): void {
  if (e.rec.dvsFor === e.obj.metadata.generation) return;
  e.rec.dvsFor = e.obj.metadata.generation;
  for (const t of e.obj.spec.dataVolumeTemplates ?? []) {
    if (c.store.get('DataVolume', t.metadata.name)) continue;
    const dv = { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: t.metadata.name, ownerReferences: [ownerRef(e.obj)] }, spec: t.spec, status: { phase: 'Pending' } };
    c.store.create(dv as unknown as DvEntry['obj'], { ownerVm: e.obj.metadata.name } satisfies DvRecord);
  }
}

/** Whether crash-loop backoff holds the VM's next VMI (R-RS6; vm.go `startFailureBackoffTimeLeft` > 0, checked for Always and RerunOnFailure only). */
function inBackoff(c: Ctx, e: VmEntry, strategy: RunStrategy): boolean {
  const f = e.obj.status.startFailure;
  if (f === undefined || !BACKOFF_DELAYS_START.includes(strategy)) return false;
  return f.retryAfterTimestamp === null || c.now() < Date.parse(f.retryAfterTimestamp);
}

/**
 * R-RS6 (vm.go `syncStartFailureStatus`, `shouldClearStartFailure`,
 * `vmiFailedEarly`): a VMI that ran, or a strategy without backoff, clears
 * the count; an ended VMI that never ran counts once, deleted or not, and
 * the VM is looked at again when its backoff expires (`AddAfter`).
 */
function bookFailures(c: Ctx, e: VmEntry, v: VmiEntry | null, strategy: RunStrategy): void {
  const st = e.obj.status;
  if (v?.rec.everRunning || !BACKOFF_STRATEGIES.includes(strategy)) {
    if (st.startFailure) st.startFailure = undefined;
    return;
  }
  if (!v || !FINAL(v.obj.status.phase)) return;
  if (st.startFailure?.lastFailedVMIUID === v.obj.metadata.uid) return;
  const count = (st.startFailure?.consecutiveFailCount ?? 0) + 1;
  let due: number | null = null;
  if (c.rules.behaviour.crashLoopBackoff === 'expires') {
    const jitter = seededFraction(c.store.seed, `crash-loop/${e.obj.metadata.uid}/${count}`);
    due = c.now() + crashLoopDelaySeconds(count, jitter) * 1000;
    c.after(due, 'vm', e.obj.metadata.name);
  }
  st.startFailure = { consecutiveFailCount: count, lastFailedVMIUID: v.obj.metadata.uid, retryAfterTimestamp: due === null ? null : timestamp(due) };
}

/** A deleted VMI the VM saw final may go (the VMI controller removes it). */
function releaseFinalizer(c: Ctx, v: VmiEntry | null): void {
  if (!v || !v.rec.ownerFinalizer || !isDeleting(v) || !FINAL(v.obj.status.phase)) return;
  v.rec.ownerFinalizer = false;
  c.store.touch(v);
}

/** The VM's VMI as the run-strategy table sees it. */
function situation(v: VmiEntry | null): Situation {
  if (!v) return 'noVmi';
  const p = v.obj.status.phase;
  return p === 'Succeeded' ? 'succeeded' : p === 'Failed' ? 'failed' : 'active';
}

/* Absent optional status fields are `undefined` rather than deleted (a delete turns an object into a slow dictionary); JSON drops them. */

/** Stop requests, then the strategy's reaction, until nothing more to do now; returns the VM's VMI then. */
function react(c: Ctx, e: VmEntry, current: VmiEntry | null, strategy: RunStrategy): VmiEntry | null {
  const s = c.store;
  const st = e.obj.status;
  let vmi = current;
  for (let guard = 0; guard < 8; guard++) {
    trimRequests(st, vmi);
    const head = st.stateChangeRequests?.[0];
    if (vmi && head?.action === 'Stop' && head.uid === vmi.obj.metadata.uid) {
      if (!isDeleting(vmi)) deleteVmi(s, vmi, c.store.timestamp());
      break; // waits for the launcher to exit
    }
    const reaction = c.rules.runStrategy[strategy][situation(vmi)];
    let acted = false;
    switch (reaction) {
      case 'keep':
        if (!vmi) e.rec.recreate = false; // a pending recreate does not survive a switch to a keeping strategy
        break;
      case 'create':
        if (!inBackoff(c, e, strategy)) acted = (vmi = startVmi(c, e, vmi, strategy) ?? vmi) !== current;
        break;
      case 'createOnRequest':
        if (head?.action === 'Start' || e.rec.recreate) acted = (vmi = startVmi(c, e, vmi, strategy) ?? vmi) !== current;
        break;
      case 'createOnRequestOrSwitch':
        if (head?.action === 'Start' || e.rec.recreate || st.runStrategy !== strategy) acted = (vmi = startVmi(c, e, vmi, strategy) ?? vmi) !== current;
        break;
      case 'delete':
      case 'deleteRecreate':
      case 'deleteRequestStart':
        if (vmi && !isDeleting(vmi)) {
          // the next VMI waits for the backoff, if any (startVmi)
          if (reaction === 'deleteRecreate') e.rec.recreate = true;
          if (reaction === 'deleteRequestStart') (st.stateChangeRequests ??= []).push(START);
          deleteVmi(s, vmi, c.store.timestamp());
        }
        break;
    }
    if (!acted) break;
    current = vmi;
  }
  // status.runStrategy follows once a deletion that needs no launcher exit (an ended or never launched VMI) is done,
  // so that the reconcile after it still sees a strategy switch (createOnRequestOrSwitch)
  const removing = vmi !== null && isDeleting(vmi) && (FINAL(vmi.obj.status.phase) || !vmi.rec.launched);
  if (!removing && (st.runStrategy !== undefined || vmi !== null)) st.runStrategy = strategy;
  return vmi;
}

/** R-V9: drop requests that no longer apply (docs/kubevirt-reference.md §1.4). */
function trimRequests(st: VmStatus, v: VmiEntry | null): void {
  const reqs = st.stateChangeRequests;
  if (!reqs) return;
  for (;;) {
    const h = reqs[0];
    if (!h) break;
    if (h.action === 'Stop' && (!v || v.obj.metadata.uid !== h.uid)) reqs.shift();
    else if (h.action === 'Start' && v && !FINAL(v.obj.status.phase) && !isDeleting(v)) reqs.shift();
    else break;
  }
  if (reqs.length === 0) st.stateChangeRequests = undefined;
}

/** Creates the VM's VMI from its template; null when a VMI of its name exists or backoff holds it. */
function startVmi(c: Ctx, e: VmEntry, vmi: VmiEntry | null, strategy: RunStrategy): VmiEntry | null {
  const s = c.store;
  const name = e.obj.metadata.name;
  if (vmi || s.get('VirtualMachineInstance', name)) return null;
  const st = e.obj.status;
  const head = st.stateChangeRequests?.[0];
  if (inBackoff(c, e, strategy)) return null; // a user's start request cleared the count; the controller's own waits (vm.go syncRunStrategy)
  const paused = e.rec.startPaused || (head?.action === 'Start' && head.data?.startPaused === 'true');
  e.rec.startPaused = false;
  e.rec.recreate = false;
  const created = createVmi(s, name, ownerRef(e.obj), template(s, e.rec.spec), paused, e.obj.spec.template.metadata?.labels);
  trimRequests(st, created);
  return created;
}

/** The facts of a VM's printableStatus (R-PS). */
/** One facts record, refilled per status write (the rules read it at once and keep nothing). */
const FACTS: VmStatusFacts = {
  deleting: false,
  vmiPhase: null,
  vmiFinal: false,
  vmiDeleting: false,
  expectDelete: false,
  migrating: false,
  paused: false,
  syncReason: null,
  unschedulable: false,
  dvError: false,
  dvProvisioning: false,
  setToStart: false,
  pvcUnbound: false,
  expectCreate: false,
  startFailures: 0,
  strategy: 'Halted',
};

/** One isSetToStart facts record, refilled per status write like FACTS. */
const SET_FACTS: SetToStartFacts = { vmiPhase: null, startRequest: false, stopRequestForVmi: false, strategySwitched: false };

function statusFacts(c: Ctx, e: VmEntry, v: VmiEntry | null, strategy: RunStrategy): VmStatusFacts {
  const s = c.store;
  const st = e.obj.status;
  let dvError = false;
  let dvProvisioning = false;
  let pvcUnbound = false;
  const volumes = e.rec.spec.volumes;
  let dvNames: Set<string> | null = e.rec.dvNames.length > 0 ? new Set(e.rec.dvNames) : null;
  if (volumes) {
    for (const vol of volumes) {
      if (vol.dataVolume) (dvNames ??= new Set()).add(vol.dataVolume.name);
      const claim = vol.persistentVolumeClaim?.claimName ?? vol.dataVolume?.name;
      if (claim !== undefined) {
        const p = s.get('PersistentVolumeClaim', claim) as PvcEntry | undefined;
        if (p && p.obj.status.phase !== 'Bound') pvcUnbound = true;
      }
    }
  }
  if (dvNames) {
    for (const n of dvNames) {
      const d = s.get('DataVolume', n) as DvEntry | undefined;
      if (!d) continue;
      if (d.obj.status.phase === 'Failed') dvError = true;
      else if (d.obj.status.phase !== 'Succeeded') dvProvisioning = true;
    }
  }
  const head = st.stateChangeRequests?.[0];
  const live = v !== null && !FINAL(v.obj.status.phase);
  const sf = SET_FACTS;
  sf.vmiPhase = v?.obj.status.phase ?? null;
  sf.startRequest = head?.action === 'Start';
  sf.stopRequestForVmi = v !== null && head?.action === 'Stop' && head.uid === v.obj.metadata.uid;
  sf.strategySwitched = st.runStrategy !== strategy;
  const setToStart = SET_TO_START[strategy](sf);
  const reaction = c.rules.runStrategy[strategy][situation(v)];
  const expectCreate =
    v === null &&
    !inBackoff(c, e, strategy) &&
    (reaction === 'create' || ((reaction === 'createOnRequest' || reaction === 'createOnRequestOrSwitch') && (head?.action === 'Start' || e.rec.recreate)));
  const m = v?.rec.activeMigration ?? null;
  const migrationPhase = m === null ? null : (s.obj('VirtualMachineInstanceMigration', m)?.status as { phase: MigrationPhase } | undefined)?.phase;
  const f = FACTS;
  f.deleting = isDeleting(e);
  f.vmiPhase = v?.obj.status.phase ?? null;
  f.vmiFinal = v !== null && FINAL(v.obj.status.phase);
  f.vmiDeleting = v !== null && isDeleting(v);
  f.expectDelete = v !== null && ((head?.action === 'Stop' && head.uid === v.obj.metadata.uid) || (live && reaction === 'delete') || v.rec.shuttingDown);
  f.migrating = migrationPhase === 'Running';
  f.paused = v?.rec.paused ?? false;
  f.syncReason = v?.rec.sync?.reason ?? null;
  f.unschedulable = v !== null && v.rec.unschedulable !== null;
  f.dvError = dvError;
  f.dvProvisioning = dvProvisioning;
  f.setToStart = setToStart;
  f.pvcUnbound = pvcUnbound;
  f.expectCreate = expectCreate;
  f.startFailures = st.startFailure?.consecutiveFailCount ?? 0;
  f.strategy = strategy;
  return f;
}

/** Whether a Ready=True condition is among `cs` (a loop: this runs at every VM status write). */
function readyTrue(cs: readonly Condition[]): boolean {
  for (let i = 0; i < cs.length; i++) if (cs[i]!.type === 'Ready' && cs[i]!.status === 'True') return true;
  return false;
}

/** status.printableStatus, ready, created and the VMI's conditions ([KV] vm.go updateStatus). */
function writeStatus(c: Ctx, e: VmEntry, v: VmiEntry | null, strategy: RunStrategy): void {
  const st = e.obj.status;
  const ps = printableStatus(c.rules.printableStatus, statusFacts(c, e, v, strategy));
  // vm.go updateStatus: the VMI's Ready condition (False as soon as the VMI is being deleted)
  const ready = v !== null && readyTrue(v.obj.status.conditions);
  const conditions = v ? v.obj.status.conditions : VMI_NOT_EXISTS;
  if (st.printableStatus === ps && st.ready === ready && st.created === (v !== null) && st.conditions === conditions) return;
  st.printableStatus = ps;
  st.ready = ready;
  st.created = v !== null;
  st.conditions = conditions;
  c.store.touchStatus(e);
}
